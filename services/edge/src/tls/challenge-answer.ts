/**
 * EDGE_TLS_CERTS=acme on the plain port: `/.well-known/acme-challenge/<token>`
 * is the edge's own (never proxied, never redirected), answered with the
 * key authorization the primary sent for that token (challenges.ts), or
 * 404 for a token it does not hold. RFC 8555 §8.3: `application/octet-stream`,
 * the key authorization as the whole body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, requestIdFrom } from '@stack/shared';
import type { AccessLog } from '../access-log.ts';
import { ACME_CHALLENGE_PREFIX } from './redirect.ts';

/** Returns the handler: true when the request was a challenge (answered), false otherwise. */
export function challengeAnswer(
  tokens: ReadonlyMap<string, string>,
  log: AccessLog,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url as string;
    if (!url.startsWith(ACME_CHALLENGE_PREFIX)) return false;
    const started = performance.now();
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const query = url.indexOf('?');
    const token = url.slice(ACME_CHALLENGE_PREFIX.length, query === -1 ? undefined : query);
    const body = tokens.get(token);
    const status = body === undefined ? 404 : 200;
    const payload = body ?? 'no such ACME challenge token\n';
    res.writeHead(status, {
      'content-type': body === undefined ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
      [REQUEST_ID_HEADER]: requestId,
    });
    res.end(req.method === 'HEAD' ? undefined : payload);
    log(
      req.method as string,
      url,
      status,
      Buffer.byteLength(payload),
      performance.now() - started,
      requestId,
    );
    return true;
  };
}
