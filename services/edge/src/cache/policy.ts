/**
 * What a shared cache may store and reuse, on `http-cache-semantics`
 * (RFC 9111: storability, freshness, Age, Vary, revalidation), with the
 * edge's stricter rules on top: nothing is stored unless the app said so
 * explicitly, never a response that sets a cookie, never `Vary: *`.
 */
import type { IncomingMessage } from 'node:http';
import CachePolicy from 'http-cache-semantics';
import type { Fields } from '../proxy/response-head.ts';

export type Policy = CachePolicy;
export type Flat = Record<string, string>;

// No heuristic freshness (RFC 9111 §4.2.2): a response the app did not
// mark stays uncached, so EDGE_CACHE=on changes nothing for it.
const OPTIONS = { shared: true, cacheHeuristic: 0, immutableMinTimeToLive: 0 };

/**
 * Fields as the library reads them: one string each. Directive names are
 * case-insensitive (RFC 9111 §5.2) but the library matches lower case only,
 * so `Cache-Control` is lower-cased (`No-Store` must still mean no-store).
 */
export function flatten(headers: Fields): Flat {
  const out: Flat = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    out[name] = typeof value === 'string' ? value : value.join(', ');
  }
  const cc = out['cache-control'];
  if (cc !== undefined) out['cache-control'] = cc.toLowerCase();
  return out;
}

/**
 * The request as the library sees it; `host` is the key's (h2 sends
 * `:authority`). Always as a GET: a stored GET answers a HEAD too
 * (RFC 9110 §9.3.2), and the library matches methods exactly.
 */
export function requestOf(
  req: IncomingMessage,
  host: string,
): { url: string; method: string; headers: Flat } {
  const headers = flatten(req.headers);
  headers.host = host;
  return { url: req.url as string, method: 'GET', headers };
}

const EXPLICIT = /(?:^|,)\s*(?:s-maxage|max-age|public)\b/;
const NO_STORE = /(?:^|,)\s*no-store\b/;

/** Cheap test first: most app answers carry neither field and cost no parse. */
export function mayBeStorable(headers: Fields): boolean {
  return headers['cache-control'] !== undefined || headers.expires !== undefined;
}

/** The policy to store the response under, or null when a shared cache must not keep it. */
export function admit(
  request: { url: string; method: string; headers: Flat },
  status: number,
  headers: Fields,
): Policy | null {
  if (headers['set-cookie'] !== undefined) return null;
  const flat = flatten(headers);
  const cc = flat['cache-control'] ?? '';
  if (!EXPLICIT.test(cc) && flat.expires === undefined) return null;
  if (flat.vary !== undefined && /(?:^|,)\s*\*\s*(?:,|$)/.test(flat.vary)) return null;
  const policy = new CachePolicy(request, { status, headers: flat }, OPTIONS);
  if (!policy.storable()) return null;
  // Worth keeping only while fresh, or with a validator to revalidate it by.
  if (policy.timeToLive() <= 0 && flat.etag === undefined && flat['last-modified'] === undefined) {
    return null;
  }
  return policy;
}

/** Whether the request forbids storing (its own `no-store`). */
export function requestForbidsStore(cacheControl: string | undefined): boolean {
  return cacheControl !== undefined && NO_STORE.test(cacheControl.toLowerCase());
}

export function onlyIfCached(cacheControl: string | undefined): boolean {
  return cacheControl !== undefined && /only-if-cached/i.test(cacheControl);
}

/** Seconds the entry stays fresh (RFC 9211 `ttl`), negative once stale. */
export function ttlOf(policy: Policy): number {
  return Math.round(policy.maxAge() - policy.age());
}

// RFC 9111 §4.2.4: no stale answer where the app forbade one. s-maxage is
// not among them here although §5.2.2.10 gives it proxy-revalidate's
// meaning: `s-maxage=1, stale-while-revalidate=59` is how an origin asks a
// CDN for microcaching, and RFC 5861's directives are that same origin's
// explicit permission (README, "Choices").
const FORBIDS_STALE = /(?:^|,)\s*(?:must-revalidate|proxy-revalidate|no-cache)\b/;

/** Whether RFC 5861's `directive` lets this stale entry be served now. */
export function staleAllowed(
  policy: Policy,
  directive: 'stale-if-error' | 'stale-while-revalidate',
): boolean {
  const cc = policy.responseHeaders()['cache-control'];
  if (typeof cc !== 'string' || FORBIDS_STALE.test(cc)) return false;
  const window = new RegExp(`(?:^|,)\\s*${directive}=(\\d+)`).exec(cc);
  if (window === null) return false;
  return policy.age() < policy.maxAge() + Number(window[1]);
}
