/**
 * Which names are content-hashed, so `immutable` for a year: collectstatic
 * names a hashed file `stem.<8 hex>.ext` (services/app/src/collectstatic/
 * manifest.ts, Django's ManifestStaticFilesStorage naming). The pattern, not
 * only the current manifest, decides, because the previous sets that
 * collectstatic keeps are just as content-addressed, and a name must not flip
 * between `no-cache` and `immutable` while a new manifest is being loaded.
 */
const HASHED = /\.[0-9a-f]{8}(?:\.[^./]+)?$/;
const SIBLING = /\.(?:br|gz)$/;

export function isHashedName(rel: string): boolean {
  const slash = rel.lastIndexOf('/');
  const base = rel.slice(slash + 1).replace(SIBLING, '');
  return HASHED.test(base);
}

export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
// Revalidate every time: the name may point at new bytes after a deploy.
export const CACHE_REVALIDATE = 'no-cache';
