/**
 * What `/static/*` and `/media/*` answer alike through Fastify: a
 * representation's GET/HEAD (200, 206, 304, 412, 416), from memory or from
 * an open file, and 405 for every other method under their prefix.
 */
import type { FileHandle } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { methodNotAllowed, sendError } from '../errors.ts';
import { evaluate } from '../static/preconditions.ts';
import { partialHeaders, type Representation } from '../static/representation.ts';

export const FILE_RESPONSE_SCHEMA = {
  '4xx': { $ref: 'ErrorBody#' },
  '5xx': { $ref: 'ErrorBody#' },
};

type Body = Buffer | NodeJS.ReadableStream;

/** A representation's answer to GET/HEAD: 200, 206, 304, 412 or 416 (preconditions.ts). */
export function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  rep: Representation,
  body: (start: number, end: number) => Body,
): FastifyReply {
  const outcome = evaluate(rep, request.method, request.headers);
  switch (outcome.status) {
    case 412:
      return sendError(
        request,
        reply,
        412,
        'a precondition (If-Match, If-Unmodified-Since) failed',
      );
    case 416:
      reply.header('content-range', `bytes */${rep.size}`);
      return sendError(request, reply, 416, `the range is outside the ${rep.size} bytes`);
    case 304:
      return reply.code(304).headers(rep.notModifiedHeaders).send();
    case 206:
      return reply
        .code(206)
        .headers(partialHeaders(rep, outcome.start, outcome.end))
        .send(body(outcome.start, outcome.end));
    default:
      reply.code(200).headers(rep.headers);
      if (request.method === 'HEAD') return reply.send();
      return reply.send(rep.size === 0 ? Buffer.alloc(0) : body(0, rep.size - 1));
  }
}

/** `answer` from an open file: the handle is closed unless a read stream took it over. */
export async function answerFromFile(
  request: FastifyRequest,
  reply: FastifyReply,
  rep: Representation,
  handle: FileHandle,
): Promise<FastifyReply> {
  let streaming = false;
  try {
    return answer(request, reply, rep, (start, end) => {
      streaming = true;
      // The stream closes the handle when it ends or is destroyed.
      return handle.createReadStream({ start, end });
    });
  } finally {
    if (!streaming) await handle.close();
  }
}

/**
 * 405 for every method but GET and HEAD under `prefix`. Explicit, so a
 * catch-all route added later (the proxy) never takes a POST there
 * upstream; in onRequest, before body parsing, so a POST with an unknown
 * type gets its 405, not a 415.
 */
export function refuseOtherMethods(edge: FastifyInstance, prefix: string): void {
  edge.route({
    method: edge.supportedMethods.filter((method) => method !== 'GET' && method !== 'HEAD'),
    url: `${prefix}*`,
    schema: { response: FILE_RESPONSE_SCHEMA },
    onRequest: async (request, reply) => methodNotAllowed(request, reply),
    handler: async (request, reply) => methodNotAllowed(request, reply),
  });
}
