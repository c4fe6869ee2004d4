/**
 * Node's ceiling for proxying h2 to HTTP/1.1: `http2.createSecureServer`
 * (the edge's TLS policy) whose core stream API hands each request to
 * undici's `Pool.dispatch`, as `bare.ts` does for HTTP/1.1, with only what
 * the edge must do: pseudo-headers dropped, `:authority` as Host and
 * X-Forwarded-Host, X-Forwarded-For/-Proto, X-Request-Id, and no
 * connection-specific response fields (h2 forbids them).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer, type OutgoingHttpHeaders } from 'node:http2';
import { createRequire } from 'node:module';
import { TLS_POLICY } from '../../../services/edge/src/tls/policy.ts';

const edgeRequire = createRequire(new URL('../../../services/edge/package.json', import.meta.url));
const { Pool } = edgeRequire('undici') as typeof import('undici');

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

export function startBareH2(
  port: number,
  upstream: string,
  tls: { cert: string; key: string },
): Http2SecureServer {
  const pool = new Pool(upstream, { pipelining: 1, keepAliveTimeout: 4000 });
  const server = createSecureServer({
    ...TLS_POLICY,
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
  });
  server.on('stream', (stream, requestHeaders) => {
    stream.on('error', () => {});
    const headers: string[] = [];
    for (const name in requestHeaders) {
      if (name[0] !== ':') headers.push(name, String(requestHeaders[name]));
    }
    const host = String(requestHeaders[':authority'] ?? '');
    headers.push('host', host, 'x-forwarded-host', host, 'x-request-id', randomUUID());
    headers.push('x-forwarded-for', stream.session?.socket.remoteAddress ?? '');
    headers.push('x-forwarded-proto', 'https');
    const method = String(requestHeaders[':method']);
    const hasBody = method !== 'GET' && method !== 'HEAD' && !stream.endAfterHeaders;
    pool.dispatch(
      { path: String(requestHeaders[':path']), method, headers, body: hasBody ? stream : null },
      {
        onRequestStart() {},
        onResponseStart(_controller, status, upstreamHeaders) {
          const out: OutgoingHttpHeaders = { ':status': status };
          for (const name in upstreamHeaders) {
            if (!HOP_BY_HOP.has(name)) out[name] = upstreamHeaders[name];
          }
          if (!stream.destroyed) stream.respond(out);
        },
        onResponseData(controller, chunk) {
          if (!stream.write(chunk)) {
            controller.pause();
            stream.once('drain', () => controller.resume());
          }
        },
        onResponseEnd() {
          stream.end();
        },
        onResponseError() {
          if (!stream.headersSent && !stream.destroyed) stream.respond({ ':status': 502 });
          stream.end();
        },
      },
    );
  });
  return server.listen(port, '127.0.0.1');
}
