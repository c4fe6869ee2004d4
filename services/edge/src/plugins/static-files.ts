/**
 * `/static/*` through Fastify: what the fast path leaves (table misses,
 * 412/416, names that need percent-decoding, the fast path turned off),
 * answered from the table when the name is there and from the disk when not.
 */
import fp from 'fastify-plugin';
import { sendError } from '../errors.ts';
import type { HitCounter } from '../static/fast-path.ts';
import { openRepresentation } from '../static/files.ts';
import { STATIC_PREFIX, staticPathOf } from '../static/request-path.ts';
import { type StaticTable, selectRepresentation } from '../static/table.ts';
import {
  answer,
  answerFromFile,
  FILE_RESPONSE_SCHEMA,
  refuseOtherMethods,
} from './file-answers.ts';

export interface StaticFilesOptions {
  table: StaticTable;
  rootReal: string;
  hits: HitCounter;
}

export default fp<StaticFilesOptions>(
  async (edge, { table, rootReal, hits }) => {
    await table.start();
    edge.addHook('onClose', () => table.close());

    edge.route({
      method: ['GET', 'HEAD'],
      url: `${STATIC_PREFIX}*`,
      schema: { response: FILE_RESPONSE_SCHEMA },
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
        return answerFromFile(request, reply, opened.rep, opened.handle);
      },
    });

    refuseOtherMethods(edge, STATIC_PREFIX);
  },
  { name: 'edge-static-files', dependencies: ['edge-errors'] },
);
