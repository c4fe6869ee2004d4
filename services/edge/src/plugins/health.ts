/**
 * `/_edge/healthz`: 200 while serving, 503 from the moment SIGTERM starts
 * the drain. With an HTTPS listener it also says `tls`: `ok`, or `pending`
 * while an ACME certificate is not issued yet (still 200: the plain port
 * serves, and must, for the HTTP-01 challenges).
 */
import fp from 'fastify-plugin';
import { sendError } from '../errors.ts';
import { EDGE_PREFIX } from './errors.ts';

export default fp(
  async (edge) => {
    edge.get(
      `${EDGE_PREFIX}healthz`,
      {
        schema: {
          response: {
            200: {
              type: 'object',
              required: ['status'],
              additionalProperties: false,
              properties: {
                status: { type: 'string', enum: ['ok'] },
                tls: { type: 'string', enum: ['ok', 'pending'] },
              },
            },
            503: { $ref: 'ErrorBody#' },
          },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        if (edge.lifecycle.draining) {
          return sendError(request, reply, 503, 'the edge is shutting down', 'draining');
        }
        const tls = edge.tls;
        if (tls === null) return { status: 'ok' as const };
        return { status: 'ok' as const, tls: tls.pending ? ('pending' as const) : ('ok' as const) };
      },
    );
  },
  { name: 'edge-health', dependencies: ['edge-errors'] },
);
