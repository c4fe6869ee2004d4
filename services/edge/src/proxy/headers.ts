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
  // Credentials for this proxy, not for the app (RFC 9110 §11.7.2).
  'proxy-authorization',
  'proxy-authenticate',
];

/** Dropped from requests; the edge writes its own value for most of them. */
const REQUEST_DROP = new Set([
  ...HOP_BY_HOP,
  'host',
  // Node already answered `100-continue` to the client; undici refuses the field.
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
