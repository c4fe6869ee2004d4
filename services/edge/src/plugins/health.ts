/** `/_edge/healthz`: 200 while serving, 503 from the moment SIGTERM starts the drain. */
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
              properties: { status: { type: 'string', enum: ['ok'] } },
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
        return { status: 'ok' as const };
      },
    );
  },
  { name: 'edge-health', dependencies: ['edge-errors'] },
);
