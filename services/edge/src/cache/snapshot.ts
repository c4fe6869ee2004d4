/**
 * What a fresh hit needs, computed when an entry is stored or refreshed
 * rather than on every hit: the stored fields as `http-cache-semantics`
 * gives them, the `Age` they had then, and until when the entry is fresh.
 * A hit on an entry inside that window, for a GET with no `Cache-Control`
 * or `Pragma` of its own, is answered from these alone (index.ts,
 * `freshHit`): the library's request evaluation would say "fresh, serve
 * it" and its `responseHeaders()` would rebuild the same fields, and the
 * two were most of what a hit cost beyond the static fast path
 * (docs/benchmarks.md, "Cache hits"). Everything else asks
 * the library as before.
 */
import type { Fields } from '../proxy/response-head.ts';
import type { Policy } from './policy.ts';

export interface Snapshot {
  /** The stored fields, `Date` the origin's, `Content-Length` set, no `Age`. */
  readonly fields: Fields;
  /** When the snapshot was taken (ms) and the entry's age then (s, fractional). */
  readonly at: number;
  readonly age: number;
  /** The freshness lifetime (s). */
  readonly maxAge: number;
  /** Until when (ms) a plain GET may be answered from the snapshot; 0: never. */
  readonly freshUntil: number;
  /**
   * The head of an uncompressed answer without the per-request fields,
   * built by the first hit that needs it (serve.ts): a hit then costs a
   * copy of it instead of the header rules again.
   */
  identityHead: { out: string[]; compressible: boolean } | null;
}

const MUST_REVALIDATE = /(?:^|,)\s*must-revalidate\b/i;

/** The fields a stored answer is served with, as of now (RFC 9111 §4.2.3's `Age`). */
export function storedFields(policy: Policy, body: Buffer): Fields {
  const fields: Fields = policy.responseHeaders();
  // The library's `Date` is now, but Date is when the origin made the response (RFC 9110 §6.6.1).
  fields.date = new Date(policy.date()).toUTCString();
  if (fields['content-length'] === undefined) fields['content-length'] = String(body.length);
  return fields;
}

export function snapshot(policy: Policy, body: Buffer): Snapshot {
  const at = Date.now();
  const fields = storedFields(policy, body);
  delete fields.age;
  const cc = fields['cache-control'];
  // The library never answers from the store under must-revalidate: neither does this.
  const revalidate = typeof cc === 'string' && MUST_REVALIDATE.test(cc);
  const age = policy.age();
  const maxAge = policy.maxAge();
  // Not policy.timeToLive(): that is how long to store it, stale windows included.
  const freshUntil = revalidate ? 0 : at + (maxAge - age) * 1000;
  return { fields, at, age, maxAge, freshUntil, identityHead: null };
}

/** The `Age` (s, fractional) of the snapshot's entry at `now`. */
export function ageAt(snap: Snapshot, now: number): number {
  return snap.age + (now - snap.at) / 1000;
}
