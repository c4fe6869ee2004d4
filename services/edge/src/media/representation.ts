/**
 * A user-uploaded file's headers. Unlike the static set, nothing here was
 * written by the project: the bytes are a stranger's, so the answer says
 * exactly what they are and lets a browser do nothing else with them.
 *
 * - The type comes from the extension the app chose (the app names files by
 *   content hash and the type it decided from the bytes); only the
 *   allow-listed image types are shown `inline`. Anything else is
 *   `application/octet-stream` and `attachment`: never rendered.
 * - `X-Content-Type-Options: nosniff`: a browser never guesses HTML.
 * - `Content-Security-Policy: default-src 'none'; sandbox`: a file opened
 *   as a document (an SVG or HTML that slipped through) runs no script,
 *   loads nothing and gets an opaque origin, so it cannot read cookies or
 *   call the API as the site.
 * - `Cache-Control: public, max-age=3600`: a content-hash name never
 *   changes its bytes, but a deleted upload must leave caches too, so an
 *   hour and no `immutable`.
 */
import type { Stats } from 'node:fs';
import { type Representation, representationOf } from '../static/representation.ts';

export const MEDIA_PREFIX = '/media/';

export const MEDIA_CACHE_CONTROL = 'public, max-age=3600';

export const MEDIA_CSP = "default-src 'none'; sandbox";

/** What every answer under /media/ carries, errors too. */
export const MEDIA_ERROR_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': MEDIA_CSP,
};

/** The image types the app keeps (its allow-list), by the extension it names them with. */
export const INLINE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

export function mediaRepresentation(
  rel: string,
  stat: Pick<Stats, 'size' | 'mtimeMs'>,
): Representation {
  const base = representationOf({ rel, stat, encoding: undefined, immutable: false });
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const inline = dot > 0 ? INLINE_TYPES[name.slice(dot + 1).toLowerCase()] : undefined;
  const safety = {
    'x-content-type-options': 'nosniff',
    'content-security-policy': MEDIA_CSP,
    'content-disposition': inline ? 'inline' : 'attachment',
    'cache-control': MEDIA_CACHE_CONTROL,
  };
  // No Vary: media has no encoded siblings.
  const { vary: _vary, ...notModified } = base.notModifiedHeaders;
  const { vary: _v, ...headers } = base.headers;
  return {
    ...base,
    headers: {
      ...headers,
      ...safety,
      'content-type': inline ?? 'application/octet-stream',
    },
    notModifiedHeaders: { ...notModified, ...safety },
  };
}
