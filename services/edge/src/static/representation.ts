/**
 * One representation of a static file: the identity bytes or a precompressed
 * `.br`/`.gz` sibling, with every header a 200 and a 304 carry computed once.
 * The table keeps these for the hashed set; the file-system path builds one
 * per request from the same function, so both paths agree on validators.
 */
import type { Stats } from 'node:fs';
import { contentType } from 'mime-types';
import { CACHE_IMMUTABLE, CACHE_REVALIDATE } from './hashed-name.ts';

export type Encoding = 'br' | 'gzip';

/** Preference on ties: br is smaller than gzip for the same text. */
export const ENCODINGS: readonly Encoding[] = ['br', 'gzip'];

export const SIBLING_SUFFIX: Readonly<Record<Encoding, string>> = { br: '.br', gzip: '.gz' };

export interface Representation {
  readonly encoding: Encoding | undefined;
  readonly size: number;
  /** Strong, and distinct per encoding (RFC 9110 §8.8.3: a validator names one representation). */
  readonly etag: string;
  /** Last-Modified in milliseconds, truncated to whole seconds as the header carries it. */
  readonly lastModifiedMs: number;
  /** Headers of a 200, without the per-request ones (X-Request-Id, Date, Connection). */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers of a 304: those a 200 would carry that RFC 9110 §15.4.5 asks for. */
  readonly notModifiedHeaders: Readonly<Record<string, string>>;
}

export interface FileFacts {
  /** The served name relative to the root, without the sibling suffix: it decides the type. */
  readonly rel: string;
  readonly stat: Pick<Stats, 'size' | 'mtimeMs'>;
  readonly encoding: Encoding | undefined;
  readonly immutable: boolean;
}

export function representationOf(file: FileFacts): Representation {
  const { size, mtimeMs } = file.stat;
  const lastModifiedMs = Math.floor(mtimeMs / 1000) * 1000;
  const suffix = file.encoding ? `-${file.encoding}` : '';
  const etag = `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}${suffix}"`;
  const lastModified = new Date(lastModifiedMs).toUTCString();
  const cacheControl = file.immutable ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
  const notModifiedHeaders: Record<string, string> = {
    etag,
    'last-modified': lastModified,
    'cache-control': cacheControl,
    // Always, even without siblings: a cache must not reuse this answer for a
    // client that negotiates differently once siblings appear.
    vary: 'Accept-Encoding',
  };
  const headers: Record<string, string> = {
    'content-type':
      contentType(file.rel.slice(file.rel.lastIndexOf('/') + 1)) || 'application/octet-stream',
    'content-length': String(size),
    ...notModifiedHeaders,
    'accept-ranges': 'bytes',
    // The types come from the name; do not let a browser guess otherwise.
    'x-content-type-options': 'nosniff',
  };
  if (file.encoding) headers['content-encoding'] = file.encoding;
  return { encoding: file.encoding, size, etag, lastModifiedMs, headers, notModifiedHeaders };
}

/** Headers of a 206 for bytes `start`–`end` (inclusive) of `rep`. */
export function partialHeaders(
  rep: Representation,
  start: number,
  end: number,
): Record<string, string> {
  return {
    ...rep.headers,
    'content-length': String(end - start + 1),
    'content-range': `bytes ${start}-${end}/${rep.size}`,
  };
}
