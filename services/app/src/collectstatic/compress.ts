import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompressSync, constants, gunzipSync, gzip } from 'node:zlib';

/**
 * Types worth precompressing: text, and binary formats that are not already
 * compressed. PNG, JPEG, WOFF2 and the like are left alone, since gzip or
 * brotli would only make them bigger.
 */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.css',
  '.html',
  '.ico',
  '.js',
  '.json',
  '.map',
  '.mjs',
  '.svg',
  '.txt',
  '.wasm',
  '.webmanifest',
  '.xml',
]);

const BINARY_EXTENSIONS: ReadonlySet<string> = new Set(['.ico', '.wasm']);

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** The first 8 hex digits of the SHA-256 of the bytes: the hash in a hashed name. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}

export function isCompressible(name: string): boolean {
  return COMPRESSIBLE_EXTENSIONS.has(extname(name).toLowerCase());
}

/**
 * The `.br` and `.gz` siblings of a file, each only when smaller than the
 * file itself (a client that gets a bigger "compressed" body gains nothing).
 *
 * Both are deterministic: brotli has no timestamp, and Node's gzip writes
 * MTIME 0 and no file name (RFC 1952 §2.3: MTIME = 0 means none is
 * available), so equal input gives equal bytes with the same zlib. Maximum
 * levels, because this runs once per build and every client benefits.
 */
export async function precompress(
  name: string,
  bytes: Buffer,
): Promise<{ br?: Buffer | undefined; gz?: Buffer | undefined }> {
  if (!isCompressible(name)) return {};
  const binary = BINARY_EXTENSIONS.has(extname(name).toLowerCase());
  const [br, gzipped] = await Promise.all([
    brotli(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: binary
          ? constants.BROTLI_MODE_GENERIC
          : constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
    gz(bytes, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  return {
    br: br.length < bytes.length ? br : undefined,
    gz: gzipped.length < bytes.length ? gzipped : undefined,
  };
}

/** Decodes a sibling by its suffix, for checking a set read from disk. */
export function decompress(suffix: '.br' | '.gz', bytes: Buffer): Buffer {
  return suffix === '.br' ? brotliDecompressSync(bytes) : gunzipSync(bytes);
}

export const SIBLING_SUFFIXES = ['.br', '.gz'] as const;
