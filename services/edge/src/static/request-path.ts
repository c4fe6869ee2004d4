/**
 * From a request URL to a path relative to the static root, or the reason
 * not to look at the disk at all. This is the first of two locks against
 * leaving the root; the second is the realpath check in files.ts, which also
 * catches symlinks.
 */

export const STATIC_PREFIX = '/static/';

export type StaticPath =
  | { readonly ok: true; readonly rel: string }
  | { readonly ok: false; readonly status: 400 | 404; readonly reason: string };

const NOT_FOUND = { ok: false, status: 404, reason: 'no such file' } as const;

/**
 * `url` is the raw request target (`req.url`), starting with STATIC_PREFIX.
 * Decoding happens exactly once, so `%252e` stays the literal name `%2e`.
 * A dot-segment, a dotfile, an empty segment (a directory) and a backslash
 * all answer 404 rather than 403: the answer says nothing about what exists,
 * as nginx's usual `location ~ /\. { return 404; }` does.
 */
export function staticPathOf(url: string): StaticPath {
  return pathUnder(STATIC_PREFIX, url);
}

/** The same rules for any root the edge serves: `url` starts with `prefix`. */
export function pathUnder(prefix: string, url: string): StaticPath {
  const query = url.indexOf('?');
  const encoded = url.slice(prefix.length, query === -1 ? url.length : query);
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding in the path' };
  }
  if (decoded.includes('\0')) return { ok: false, status: 400, reason: 'NUL byte in the path' };
  return isServableRel(decoded) ? { ok: true, rel: decoded } : NOT_FOUND;
}

/** A non-empty relative path with no empty, dot or dotfile segment and no backslash. */
export function isServableRel(rel: string): boolean {
  if (rel.length === 0 || rel.includes('\\') || rel.includes('\0')) return false;
  for (const segment of rel.split('/')) {
    // Covers '', '.', '..' and every dotfile (.env, .git, .collectstatic).
    if (segment.length === 0 || segment.charCodeAt(0) === 46) return false;
  }
  return true;
}

/** True for a name whose URL form is the name itself, so the raw URL can key a lookup. */
export function isUrlSafeName(rel: string): boolean {
  return /^[A-Za-z0-9._~/-]+$/.test(rel);
}
