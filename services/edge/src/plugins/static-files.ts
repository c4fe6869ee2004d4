/**
 * `/static/*` through Fastify: what the fast path leaves (table misses,
 * 412/416, names that need percent-decoding, the fast path turned off),
 * answered from the table when the name is there and from the disk when not.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { methodNotAllowed, sendError } from '../errors.ts';
import type { HitCounter } from '../static/fast-path.ts';
import { openRepresentation } from '../static/files.ts';
import { evaluate } from '../static/preconditions.ts';
import { partialHeaders, type Representation } from '../static/representation.ts';
import { STATIC_PREFIX, staticPathOf } from '../static/request-path.ts';
import { type StaticTable, selectRepresentation } from '../static/table.ts';

export interface StaticFilesOptions {
  table: StaticTable;
  rootReal: string;
  hits: HitCounter;
}

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

const RESPONSE_SCHEMA = { '4xx': { $ref: 'ErrorBody#' }, '5xx': { $ref: 'ErrorBody#' } };

export default fp<StaticFilesOptions>(
  async (edge, { table, rootReal, hits }) => {
    await table.start();
    edge.addHook('onClose', () => table.close());

    edge.route({
      method: ['GET', 'HEAD'],
      url: `${STATIC_PREFIX}*`,
      schema: { response: RESPONSE_SCHEMA },
      handler: async (request, reply) => {
        const path = staticPathOf(request.url);
        if (!path.ok) return sendError(request, reply, path.status, path.reason);
        const acceptEncoding = request.headers['accept-encoding'];
        const resource = table.byRel(path.rel);
        if (resource) {
          hits.staticTableHits++;
          const rep = selectRepresentation(resource, acceptEncoding);
          return answer(request, reply, rep, (start, end) => rep.body.subarray(start, end + 1));
        }
        const opened = await openRepresentation(
          rootReal,
          path.rel,
          acceptEncoding,
          table.isHashed(path.rel),
        );
        if (opened === undefined) return sendError(request, reply, 404, 'no such file');
        let streaming = false;
        try {
          return answer(request, reply, opened.rep, (start, end) => {
            streaming = true;
            // The stream closes the handle when it ends or is destroyed.
            return opened.handle.createReadStream({ start, end });
          });
        } finally {
          if (!streaming) await opened.handle.close();
        }
      },
    });

    // Explicit, so a catch-all route added later (the proxy) never takes a
    // POST to /static/ upstream.
    edge.route({
      method: edge.supportedMethods.filter((method) => method !== 'GET' && method !== 'HEAD'),
      url: `${STATIC_PREFIX}*`,
      schema: { response: RESPONSE_SCHEMA },
      // onRequest, before body parsing: a POST with an unknown type gets
      // the 405 it deserves, not a 415.
      onRequest: async (request, reply) => methodNotAllowed(request, reply),
      handler: async (request, reply) => methodNotAllowed(request, reply),
    });
  },
  { name: 'edge-static-files', dependencies: ['edge-errors'] },
);
