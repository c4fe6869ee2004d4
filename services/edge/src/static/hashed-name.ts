/**
 * The Cache-Control of a static name. Which names are content-hashed is the
 * static contract's `isHashedName` (`@stack/shared`): collectstatic's naming,
 * `stem.<8 hex>.ext`, matched by pattern so a previous set's names stay
 * `immutable` too.
 */
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
// Revalidate every time: the name may point at new bytes after a deploy.
export const CACHE_REVALIDATE = 'no-cache';
