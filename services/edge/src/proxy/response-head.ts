/**
 * The head of a relayed response, one rule for the upstream's answers and
 * the cache's stored ones: hop-by-hop fields dropped, compression chosen
 * for this client (`Vary: Accept-Encoding`, a weak ETag, no length), the
 * edge's own fields added, as undici's flat `[name, value, …]` list.
 */
import type { IncomingMessage } from 'node:http';
import { addVary, chooseEncoding, type Encoding, isCompressible, weakenEtag } from './compress.ts';
import { appendEdgeFields, connectionListed, passesResponse } from './headers.ts';
import type { ProxyOptions } from './options.ts';

export type Fields = Record<string, string | string[] | undefined>;

export interface Head {
  out: string[];
  /** The encoding to compress the body with, or null to send it as it is. */
  encoding: Encoding | null;
}

export function responseHead(
  req: IncomingMessage,
  statusCode: number,
  headers: Fields,
  options: ProxyOptions,
  requestId: string,
): Head {
  const head = relayedHead(req.headers['accept-encoding'], statusCode, headers, options);
  appendEdgeFields(head.out, requestId, options.serverHeader);
  return head;
}

/** The head without the edge's own per-request fields (the cache keeps one per entry). */
export function relayedHead(
  acceptEncoding: string | undefined,
  statusCode: number,
  headers: Fields,
  options: ProxyOptions,
): Head {
  let encoding: Encoding | null = null;
  let vary = false;
  if (
    options.compressMinBytes > 0 &&
    isCompressible(statusCode, headers, options.compressMinBytes)
  ) {
    vary = true;
    encoding = chooseEncoding(acceptEncoding);
  }
  const listed = headers.connection === undefined ? null : connectionListed(headers.connection);
  const out: string[] = [];
  for (const name in headers) {
    if (!passesResponse(name, listed)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (vary && name === 'vary') continue;
    if (encoding !== null) {
      if (name === 'content-length') continue;
      if (name === 'etag' && typeof value === 'string') {
        out.push(name, weakenEtag(value));
        continue;
      }
    }
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
  if (vary) out.push('vary', addVary(headers.vary));
  if (encoding !== null) out.push('content-encoding', encoding);
  return { out, encoding };
}
