/**
 * `GET/HEAD /media/*`: user uploads from EDGE_MEDIA_ROOT (read-only), with
 * the headers of ../media/representation.ts on every answer, errors
 * included. The same locks as /static/: one decoding, no dot segment or
 * dotfile (the app's `.tmp/` is never reachable), no directory (no
 * listing), and the real path inside the root (no symlink out).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sendError } from '../errors.ts';
import { MEDIA_ERROR_HEADERS, MEDIA_PREFIX, mediaRepresentation } from '../media/representation.ts';
import { openInside } from '../static/files.ts';
import { pathUnder } from '../static/request-path.ts';
import { answerFromFile, FILE_RESPONSE_SCHEMA, refuseOtherMethods } from './file-answers.ts';

function refuse(request: FastifyRequest, reply: FastifyReply, status: number, reason: string) {
  reply.headers(MEDIA_ERROR_HEADERS);
  return sendError(request, reply, status, reason);
}

export default fp<{ rootReal: string }>(
  async (edge, { rootReal }) => {
    edge.route({
      method: ['GET', 'HEAD'],
      url: `${MEDIA_PREFIX}*`,
      schema: { response: FILE_RESPONSE_SCHEMA },
      handler: async (request, reply) => {
        const path = pathUnder(MEDIA_PREFIX, request.url);
        if (!path.ok) return refuse(request, reply, path.status, path.reason);
        const opened = await openInside(rootReal, path.rel);
        if (opened === undefined) return refuse(request, reply, 404, 'no such file');
        const rep = mediaRepresentation(path.rel, opened.stat);
        return answerFromFile(request, reply, rep, opened.handle);
      },
    });
    refuseOtherMethods(edge, MEDIA_PREFIX);
  },
  { name: 'edge-media-files', dependencies: ['edge-errors'] },
);
