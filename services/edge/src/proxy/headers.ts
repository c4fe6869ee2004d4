/**
 * Header rewriting in both directions. Hop-by-hop fields describe one
 * connection, not the message, so a proxy must not forward them, nor any
 * field the sender names in `Connection` (RFC 9110 §7.6.1,
 * https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1).
 */
import type { IncomingHttpHeaders } from 'node:http';

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // The h2c upgrade's settings (RFC 7540 §3.2.1), connection-specific
  // whether or not the sender names it in `Connection`: nothing behind the
  // edge is ever asked to switch to HTTP/2 over cleartext.
  'http2-settings',
  // Credentials for this proxy, not for the app (RFC 9110 §11.7.2).
  'proxy-authorization',
  'proxy-authenticate',
];

/** Dropped from requests; the edge writes its own value for most of them. */
const REQUEST_DROP = new Set([
  ...HOP_BY_HOP,
  'host',
  // The edge answers `100-continue` itself (or refuses first), and sends the
  // whole body or none: as nginx's proxy module (`Expect ""`) does.
  'expect',
  'x-request-id',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
]);

/** Also claims about the client, believed only from a trusted proxy. */
const UNTRUSTED_DROP = new Set(['forwarded', 'x-real-ip']);

/** Response fields the edge replaces or must not pass on. */
export const RESPONSE_DROP = new Set([
  ...HOP_BY_HOP,
  // Ours replaces the app's, so no version leaks (nginx hides it too: `proxy_hide_header`).
  'server',
  'x-request-id',
]);

/** Whether a field of the upstream's response goes on to the client: one rule for every path. */
export function passesResponse(name: string, listed: Set<string> | null): boolean {
  return !RESPONSE_DROP.has(name) && (listed === null || !listed.has(name));
}

/** The fields the edge adds to every response it relays, as a flat list. */
export function appendEdgeFields(out: string[], requestId: string, serverHeader: string): void {
  out.push('x-request-id', requestId);
  if (serverHeader !== '') out.push('server', serverHeader);
}

/**
 * The one upgrade the edge relays: a GET whose `Upgrade` is the single
 * token `websocket` (RFC 6455 §4.1), any case. Anything else (`h2c` above
 * all: "h2c smuggling" tunnels past a proxy's routing; `TLS/1.0`; a list
 * such as `h2c, websocket`, where the upstream would pick) is served as an
 * ordinary request, its `Upgrade`, `Connection` and `HTTP2-Settings`
 * dropped as hop-by-hop fields.
 */
export function isWebSocketUpgrade(
  method: string | undefined,
  upgrade: string | undefined,
): boolean {
  return method === 'GET' && namesWebSocket(upgrade);
}

/** Whether an `Upgrade` value (a request's or a 101's) is exactly the token `websocket`. */
export function namesWebSocket(upgrade: string | string[] | undefined): boolean {
  return typeof upgrade === 'string' && upgrade.trim().toLowerCase() === 'websocket';
}

// RFC 9112 §3.2 and RFC 3986 §3.2.2: `host [ ":" port ]`, where host is an
// IP literal or a reg-name (unreserved, pct-encoded and sub-delims). No
// space, `/`, `?`, `#`, `@` or `\`: such a value would change the meaning of
// the URL the app builds from it.
const VALID_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]*)?$/;

/**
 * Whether a request's `Host` is acceptable: at most one field (Node keeps
 * the first of several in `headers`; `rawHeaders` has them all) and a valid
 * value. None at all is HTTP/1.0's right only (Node's `requireHostHeader`
 * refuses an HTTP/1.1 request without one, but not an upgrade request).
 */
export function hostIsValid(
  host: string | undefined,
  rawHeaders: string[],
  httpVersion: string,
): boolean {
  if (host === undefined) return httpVersion === '1.0';
  if (!VALID_HOST.test(host)) return false;
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host' && ++seen > 1) return false;
  }
  return true;
}

/** Tokens every client sends in `Connection` that name no other field. */
const PLAIN_CONNECTION = /^\s*(?:keep-alive|close|upgrade)\s*$/i;

/** Field names listed in a `Connection` value beyond the usual, lower-cased; null when none. */
export function connectionListed(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null;
  const joined = typeof value === 'string' ? value : value.join(',');
  if (PLAIN_CONNECTION.test(joined)) return null;
  const names = new Set<string>();
  for (const token of joined.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') names.add(name);
  }
  return names.size === 0 ? null : names;
}

export interface ForwardFacts {
  peer: string;
  trusted: boolean;
  proto: string;
  requestId: string;
  /** The `Host` sent when the client sent none (HTTP/1.0): the upstream's own. */
  defaultHost: string;
}

/**
 * The upstream request's fields as undici's flat `[name, value, …]` list,
 * the cheapest form it accepts. `req.headers` is read rather than
 * `rawHeaders` because the caller has already made Node build it (request
 * id, `Accept`), so names are lower-cased once per request, not twice.
 */
export function requestHeaders(headers: IncomingHttpHeaders, facts: ForwardFacts): string[] {
  const out: string[] = [];
  const trusted = facts.trusted;
  for (const name in headers) {
    if (REQUEST_DROP.has(name) || (!trusted && UNTRUSTED_DROP.has(name))) continue;
    const value = headers[name];
    if (typeof value === 'string') out.push(name, value);
    else if (value !== undefined) for (const item of value) out.push(name, item);
  }
  const listed = connectionListed(headers.connection);
  const kept = listed === null ? out : dropListed(out, listed);
  const host = headers.host;
  kept.push('host', host ?? facts.defaultHost);
  const chain = trusted ? headers['x-forwarded-for'] : undefined;
  kept.push('x-forwarded-for', chain ? `${chain}, ${facts.peer}` : facts.peer);
  kept.push('x-forwarded-proto', (trusted && first(headers['x-forwarded-proto'])) || facts.proto);
  const forwardedHost = (trusted && first(headers['x-forwarded-host'])) || host;
  if (forwardedHost) kept.push('x-forwarded-host', forwardedHost);
  kept.push('x-request-id', facts.requestId);
  return kept;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function dropListed(flat: string[], listed: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i] as string;
    if (!listed.has(name.toLowerCase())) out.push(name, flat[i + 1] as string);
  }
  return out;
}
