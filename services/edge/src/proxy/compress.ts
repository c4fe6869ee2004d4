/**
 * On-the-fly compression of proxied responses the app sent uncompressed,
 * as nginx's `gzip on` (https://nginx.org/en/docs/http/ngx_http_gzip_module.html):
 * only 200/403/404, only text-like types, only above a size.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Transform, Writable } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';

export type Encoding = 'br' | 'gzip';
const ENCODINGS: Encoding[] = ['br', 'gzip'];

// Event streams are excluded: a compressor holds bytes back until it has a
// block, and a server-sent event must reach the browser when it is written.
const COMPRESSIBLE_TYPE =
  /^\s*(?:text\/(?!event-stream)|application\/(?:json|javascript|ecmascript|x-javascript|xml|wasm|manifest\+json)|image\/svg\+xml|[^;]*\+(?:json|xml)\s*(?:;|$))/i;

/**
 * True when the response could be compressed for some client: it then gets
 * `Vary: Accept-Encoding` whether or not this client accepts an encoding, so
 * a shared cache never hands the other variant to the wrong client.
 */
export function isCompressible(
  status: number,
  headers: IncomingHttpHeaders,
  minBytes: number,
): boolean {
  if (minBytes === 0) return false;
  if (status !== 200 && status !== 403 && status !== 404) return false;
  if (headers['content-encoding'] !== undefined || headers['content-range'] !== undefined) {
    return false;
  }
  // The length first: most API answers are small, and this is cheaper than the pattern.
  const length = headers['content-length'];
  if (typeof length === 'string' && Number(length) < minBytes) return false;
  const type = headers['content-type'];
  if (typeof type !== 'string' || !COMPRESSIBLE_TYPE.test(type)) return false;
  const cacheControl = headers['cache-control'];
  // RFC 9111 §5.2.2.6: intermediaries must not transform such a response.
  if (typeof cacheControl === 'string' && /no-transform/i.test(cacheControl)) return false;
  return true;
}

/** The client's preferred encoding (q-values honoured, `q=0` refused), or null. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | null {
  if (!acceptEncoding) return null;
  return negotiate(acceptEncoding, ENCODINGS);
}

export function addVary(vary: string | string[] | undefined): string {
  const value = Array.isArray(vary) ? vary.join(', ') : vary;
  if (!value) return 'Accept-Encoding';
  if (/(?:^|,)\s*(?:\*|accept-encoding)\s*(?:,|$)/i.test(value)) return value;
  return `${value}, Accept-Encoding`;
}

/** The bytes change, so a strong validator would lie (nginx weakens it as well). */
export function weakenEtag(etag: string): string {
  return etag.startsWith('"') ? `W/${etag}` : etag;
}

export function createCompressor(encoding: Encoding, sizeHint: number): Transform {
  if (encoding === 'gzip') return createGzip({ level: 6 });
  const params: Record<number, number> = {
    // Quality 11 (zlib's default) costs ~50× the CPU of 4 for a few percent:
    // right for precompressed static files, wrong per request.
    [constants.BROTLI_PARAM_QUALITY]: 4,
  };
  if (sizeHint > 0) params[constants.BROTLI_PARAM_SIZE_HINT] = sizeHint;
  return createBrotliCompress({ params });
}

/**
 * A compressor piped into `res`, for a relayed body: `resume` is called
 * when it drains (the upstream's paused body goes on), and its failure
 * destroys `res`, so the client sees a cut response, not a complete one.
 */
export function compressInto(
  res: Writable,
  encoding: Encoding,
  sizeHint: number,
  resume: () => void,
): Transform {
  const compressor = createCompressor(encoding, sizeHint);
  compressor.on('drain', resume);
  compressor.on('error', (error) => res.destroy(error));
  compressor.pipe(res);
  return compressor;
}
