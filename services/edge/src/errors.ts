/**
 * The edge's answers in the shared error shape (the root README, "Contracts between the containers"): JSON,
 * or the small HTML page for a client that prefers HTML.
 */
import { errorBody, errorHtml, prefersHtml } from '@stack/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';

// See edge.ts: a static import of node:http costs 13 MiB per worker.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

/** `Range Not Satisfiable` → `range_not_satisfiable`: one rule for every status. */
export function codeFor(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  code = codeFor(status),
): FastifyReply {
  const body = errorBody(status, code, message, request.id);
  reply.code(status);
  if (prefersHtml(request.headers.accept)) {
    return reply.type('text/html; charset=utf-8').send(errorHtml(body));
  }
  return reply.send(body);
}

/** The edge's own paths take GET and HEAD only, as nginx's static locations do. */
export function methodNotAllowed(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('allow', 'GET, HEAD');
  return sendError(request, reply, 405, `${request.method} is not allowed here`);
}
