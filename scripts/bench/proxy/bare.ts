/**
 * Node's ceiling for a proxy: a node:http server handing each request to
 * undici's `Pool.dispatch`, with no features but the headers the edge must
 * add. No limits, retries, health checks or error pages: whatever the edge
 * does beyond this is what its ratio to this row costs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';

// undici 8 as the edge has it: the root node_modules holds an older one.
const edgeRequire = createRequire(new URL('../../../services/edge/package.json', import.meta.url));
const { Pool } = edgeRequire('undici') as typeof import('undici');

export function startBare(port: number, upstream: string): Server {
  const pool = new Pool(upstream, { pipelining: 1, keepAliveTimeout: 4000 });
  return createServer((req, res) => {
    const headers: string[] = [];
    for (const name in req.headers) {
      if (name !== 'connection' && name !== 'keep-alive')
        headers.push(name, String(req.headers[name]));
    }
    headers.push('x-forwarded-for', req.socket.remoteAddress ?? '', 'x-forwarded-proto', 'http');
    headers.push('x-forwarded-host', req.headers.host ?? '', 'x-request-id', randomUUID());
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool.dispatch(
      {
        path: req.url as string,
        method: req.method as string,
        headers,
        body: hasBody ? req : null,
      },
      {
        onRequestStart() {},
        onResponseStart(_controller, status, upstreamHeaders) {
          const out: string[] = [];
          for (const name in upstreamHeaders) {
            if (name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') {
              out.push(name, String(upstreamHeaders[name]));
            }
          }
          res.writeHead(status, out);
        },
        onResponseData(controller, chunk) {
          if (!res.write(chunk)) {
            controller.pause();
            res.once('drain', () => controller.resume());
          }
        },
        onResponseEnd() {
          res.end();
        },
        onResponseError() {
          if (!res.headersSent) res.statusCode = 502;
          res.end();
        },
      },
    );
  }).listen(port, '127.0.0.1');
}
