/**
 * Headers every response carries: the request id (kept or made by the
 * shared rule in `genReqId`, app.ts) and the replica's instance id, so
 * tests and people can see which replica answered. Set on request, so
 * error and 404 replies have them too.
 */
import { REQUEST_ID_HEADER } from '@stack/shared';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const INSTANCE_ID_HEADER = 'x-instance-id';

export interface RequestContextOptions {
  /** Names this replica in `X-Instance-Id` (its host name). */
  instance: string;
}

async function requestContext(app: FastifyInstance, options: RequestContextOptions) {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    reply.header(INSTANCE_ID_HEADER, options.instance);
  });
}

export default fp(requestContext, { name: 'request-context', fastify: '5.x' });
