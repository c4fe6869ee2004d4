/**
 * Every error the edge answers itself, in the shared shape: handler errors,
 * unknown routes, and (from buildEdge's options) malformed URLs and requests
 * Node's parser rejects.
 *
 * Only /static/, /_edge/ and requests that are not origin-form reach
 * Fastify (edge.ts sends everything else to the proxy), so the not-found
 * handler answers for those alone.
 */
import { errorBodySchema } from '@stack/shared';
import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { codeFor, methodNotAllowed, sendError } from '../errors.ts';
import { MEDIA_PREFIX } from '../media/representation.ts';
import { type LingerOptions, lingerIfUnread } from '../proxy/index.ts';
import { STATIC_PREFIX } from '../static/request-path.ts';

export const EDGE_PREFIX = '/_edge/';

export default fp<{ linger: LingerOptions }>(
  async (edge, { linger }) => {
    edge.addSchema(errorBodySchema);

    edge.setErrorHandler((error: FastifyError, request, reply) => {
      const status =
        typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
      // Fastify closes the connection after a body it refused (413, a parse
      // error): linger so that a client still sending gets this answer.
      lingerIfUnread(request.raw, reply.raw, linger);
      // A 5xx's message may carry internals; the log has them, the client gets the class.
      return sendError(request, reply, status, status >= 500 ? codeFor(status) : error.message);
    });

    edge.setNotFoundHandler((request, reply) => {
      const owned =
        request.url.startsWith(STATIC_PREFIX) ||
        request.url.startsWith(EDGE_PREFIX) ||
        request.url.startsWith(MEDIA_PREFIX);
      if (owned && request.method !== 'GET' && request.method !== 'HEAD') {
        return methodNotAllowed(request, reply);
      }
      return sendError(request, reply, 404, 'nothing here');
    });
  },
  { name: 'edge-errors' },
);
