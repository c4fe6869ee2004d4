/**
 * A stored response written to the client: the same head rules as a
 * relayed one (../proxy/response-head.ts, compression included, so one
 * entry serves every Accept-Encoding), with Age and Cache-Status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chooseEncoding, createCompressor, isCompressible } from '../proxy/compress.ts';
import type { ProxyContext } from '../proxy/context.ts';
import { appendEdgeFields } from '../proxy/headers.ts';
import type { ProxyOptions } from '../proxy/options.ts';
import { type Fields, relayedHead, responseHead } from '../proxy/response-head.ts';
import type { Counters } from '../proxy/stats.ts';
import type { Entry } from './store.ts';

const strip = (tag: string) => tag.trim().replace(/^W\//, '');

/**
 * The client's own conditional against the stored answer (RFC 9110
 * §13.1.2-3): If-None-Match by weak comparison, else If-Modified-Since;
 * only for a 200, so a browser revalidating its copy gets a 304 from here.
 */
function notModified(req: IncomingMessage, status: number, headers: Fields): boolean {
  if (status !== 200) return false;
  const inm = req.headers['if-none-match'];
  const etag = headers.etag;
  if (inm !== undefined) {
    if (typeof etag !== 'string') return false;
    const stored = strip(etag);
    return inm.trim() === '*' || inm.split(',').some((tag) => strip(tag) === stored);
  }
  const ims = req.headers['if-modified-since'];
  const lastModified = headers['last-modified'];
  if (ims === undefined || typeof lastModified !== 'string') return false;
  const since = Date.parse(ims);
  const modified = Date.parse(lastModified);
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}

export function serveEntry(
  req: IncomingMessage,
  res: ServerResponse,
  entry: Entry,
  headers: Fields,
  cacheStatus: string,
  ctx: ProxyContext,
  options: ProxyOptions,
  counters: Counters,
): void {
  if (res.headersSent || res.destroyed) return;
  const status = notModified(req, entry.status, headers) ? 304 : entry.status;
  const { out, encoding } = responseHead(req, status, headers, options, ctx.requestId);
  out.push('cache-status', cacheStatus);
  counters.response(status);
  res.writeHead(status, out);
  if (req.method === 'HEAD' || status === 304 || entry.body.length === 0) {
    res.end();
    return;
  }
  if (encoding === null) {
    res.end(entry.body);
    return;
  }
  const compressor = createCompressor(encoding, entry.body.length);
  compressor.on('error', (error) => res.destroy(error));
  res.on('close', () => compressor.destroy());
  compressor.pipe(res);
  compressor.end(entry.body);
}

/**
 * A fresh hit on the snapshot's fields with `age` (s) added. The head of
 * an answer sent as stored is built once per snapshot (without the
 * per-request fields); a client's conditional, or an encoding this client
 * takes, goes through serveEntry's rules on a copy of the fields.
 */
export function serveFresh(
  req: IncomingMessage,
  res: ServerResponse,
  entry: Entry,
  age: number,
  cacheStatus: string,
  ctx: ProxyContext,
  options: ProxyOptions,
  counters: Counters,
): void {
  const snap = entry.snap;
  const ageField = String(Math.round(age));
  let head = snap.identityHead;
  if (head === null) {
    head = {
      // For a client that takes no encoding: the head sent as stored.
      out: relayedHead(undefined, entry.status, snap.fields, options).out,
      compressible: isCompressible(entry.status, snap.fields, options.compressMinBytes),
    };
    snap.identityHead = head;
  }
  const headers = req.headers;
  if (
    headers['if-none-match'] !== undefined ||
    headers['if-modified-since'] !== undefined ||
    (head.compressible && chooseEncoding(headers['accept-encoding']) !== null)
  ) {
    const fields = { ...snap.fields, age: ageField };
    serveEntry(req, res, entry, fields, cacheStatus, ctx, options, counters);
    return;
  }
  if (res.headersSent || res.destroyed) return;
  const out = head.out.slice();
  out.push('age', ageField);
  appendEdgeFields(out, ctx.requestId, options.serverHeader);
  out.push('cache-status', cacheStatus);
  counters.response(entry.status);
  res.writeHead(entry.status, out);
  if (req.method === 'HEAD' || entry.body.length === 0) res.end();
  else res.end(entry.body);
}
