/**
 * What to answer for a representation, from the request's conditional and
 * range headers, in the order RFC 9110 §13.2.2 evaluates them. Pure, so the
 * fast path and the Fastify route share it and tests can reach it either way.
 */
import type { IncomingHttpHeaders } from 'node:http';
import parseRange from 'range-parser';
import type { Representation } from './representation.ts';

export type Outcome =
  | { readonly status: 200 | 304 | 412 | 416 }
  | { readonly status: 206; readonly start: number; readonly end: number };

const OK = { status: 200 } as const;
const NOT_MODIFIED = { status: 304 } as const;
const PRECONDITION_FAILED = { status: 412 } as const;
const UNSATISFIABLE = { status: 416 } as const;

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** Weak comparison (§8.8.3.2), as If-None-Match uses. */
function anyWeakMatch(list: string, etag: string): boolean {
  for (const raw of list.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || opaque(tag) === etag) return true;
  }
  return false;
}

/** Strong comparison, as If-Match uses: a weak tag never matches. */
function anyStrongMatch(list: string, etag: string): boolean {
  for (const raw of list.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || tag === etag) return true;
  }
  return false;
}

function dateOf(value: string | undefined): number {
  return value === undefined ? Number.NaN : Date.parse(value);
}

/**
 * If-Range (§13.1.5) holds when the strong validator is an exact match: an
 * entity tag equal to ours (never a weak one), or a date equal to our
 * Last-Modified. Otherwise the Range is ignored and the full 200 goes out,
 * so a client never splices bytes of two versions.
 */
function ifRangeHolds(value: string, rep: Representation): boolean {
  if (value.startsWith('"') || value.startsWith('W/')) return value === rep.etag;
  return dateOf(value) === rep.lastModifiedMs;
}

export function evaluate(
  rep: Representation,
  method: string,
  headers: IncomingHttpHeaders,
): Outcome {
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!anyStrongMatch(ifMatch, rep.etag)) return PRECONDITION_FAILED;
  } else {
    const since = dateOf(headers['if-unmodified-since']);
    if (!Number.isNaN(since) && rep.lastModifiedMs > since) return PRECONDITION_FAILED;
  }

  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    // §13.1.3: If-None-Match present, If-Modified-Since is ignored.
    if (anyWeakMatch(ifNoneMatch, rep.etag)) return NOT_MODIFIED;
  } else {
    // RFC semantics ("not modified since"), i.e. nginx's `if_modified_since before`;
    // nginx's default `exact` would miss a client whose clock-derived date differs.
    const since = dateOf(headers['if-modified-since']);
    if (!Number.isNaN(since) && rep.lastModifiedMs <= since) return NOT_MODIFIED;
  }

  const range = headers.range;
  // §14.2: GET is the only method with range semantics; HEAD gets the 200 head.
  if (range === undefined || method !== 'GET') return OK;
  const ifRange = headers['if-range'];
  // Node joins most repeated headers but not unknown ones: an array never holds.
  if (ifRange !== undefined && (typeof ifRange !== 'string' || !ifRangeHolds(ifRange, rep))) {
    return OK;
  }

  const ranges = parseRange(rep.size, range, { combine: true });
  if (ranges === -1) return UNSATISFIABLE;
  // -2: malformed, ignored as §14.2 allows. Several disjoint ranges: the full
  // 200 (see README: multipart/byteranges buys little for hashed assets and is
  // a known amplification vector, CVE-2011-3192).
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return OK;
  const [only] = ranges;
  if (only === undefined) return OK;
  return { status: 206, start: only.start, end: only.end };
}
