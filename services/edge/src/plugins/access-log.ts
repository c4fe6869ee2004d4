/**
 * The request id and the access-log line for requests Fastify answers (the
 * fast path does both itself, with the same AccessLog function).
 */
import { REQUEST_ID_HEADER } from '@stack/shared';
import fp from 'fastify-plugin';
import type { AccessLog } from '../access-log.ts';
import { transportOf } from '../tls/transport.ts';

export interface AccessLogOptions {
  log: AccessLog;
}

/** Body bytes sent: the Content-Length, except where no body goes out. */
function bodyBytes(method: string, status: number, length: unknown): number {
  if (method === 'HEAD' || status === 304 || status === 204) return 0;
  return Number(length ?? 0) || 0;
}

export default fp<AccessLogOptions>(
  async (edge, { log }) => {
    edge.addHook('onRequest', async (request, reply) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      // On h2 the session closes with GOAWAY; a `Connection` field is not allowed there.
      if (edge.lifecycle.closing && request.raw.httpVersionMajor !== 2) {
        reply.header('connection', 'close');
      }
    });
    edge.addHook('onResponse', async (request, reply) => {
      const { method, url } = request;
      const status = reply.statusCode;
      const bytes = bodyBytes(method, status, reply.getHeader('content-length'));
      log(
        method,
        url,
        status,
        bytes,
        reply.elapsedTime,
        request.id,
        undefined,
        transportOf(request.raw),
      );
    });
  },
  { name: 'edge-access-log' },
);
