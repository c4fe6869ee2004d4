/**
 * EDGE_HTTP_REDIRECT: a plain-HTTP request is answered 308 to the same URL
 * on `https://` (308, not 301: the method and body are kept), except the
 * health check (a load balancer or Docker polls it over plain HTTP) and
 * ACME's HTTP-01 challenges, which must be answered over plain HTTP; the
 * ACME certificate source will answer those where this lets them through.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, requestIdFrom } from '@stack/shared';
import type { AccessLog } from '../access-log.ts';

const EXEMPT_EXACT = '/_edge/healthz';
export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';
// A host name or an IPv6 literal, then an optional port: nothing that could
// change the meaning of the Location built from it.
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d*)?$/;

/** Returns the handler: true when it answered (a redirect), false to route the request as usual. */
export function httpsRedirect(
  publicPort: number,
  log: AccessLog,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const portPart = publicPort === 443 ? '' : `:${publicPort}`;
  return (req, res) => {
    const url = req.url as string;
    if (url.charCodeAt(0) !== 47) return false;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (path === EXEMPT_EXACT || path.startsWith(ACME_CHALLENGE_PREFIX)) return false;
    const host = HOST.exec(req.headers.host ?? '');
    // No usable Host: the ordinary routing answers it (the proxy's 400 bad_host).
    if (host === null) return false;
    const started = performance.now();
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.writeHead(308, {
      location: `https://${host[1]}${portPart}${url}`,
      'content-length': 0,
      'cache-control': 'no-store',
      [REQUEST_ID_HEADER]: requestId,
    });
    res.end();
    log(req.method as string, url, 308, 0, performance.now() - started, requestId);
    return true;
  };
}
