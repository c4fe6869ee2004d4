/**
 * `GET /entries/:id/original?key=…`: the bytes an image was uploaded as,
 * only with the entry's secret key (given once, in the 201 of the post).
 * The app checks the key and answers with `X-Accel-Redirect`; the edge
 * sends the file from its protected root (nginx's `internal` location), so
 * this worker is done as soon as the header is out. A wrong key, a missing
 * one and an entry without an image are the same 404: the answer tells
 * nobody whether the entry exists.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { entryRepository } from '../entries/repository.ts';
import { EntryParams } from '../entries/schemas.ts';
import { notFound } from '../http-error.ts';
import { keyMatches } from './service.ts';

/** The prefix the edge serves the protected root under, for X-Accel-Redirect only. */
export const PROTECTED_PREFIX = '/_protected/';

export function originalUrl(id: number, key: string): string {
  return `/entries/${id}/original?key=${encodeURIComponent(key)}`;
}

/** `attachment` with the uploader's name, ASCII-safe and as RFC 8187 UTF-8. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const OriginalQuery = Type.Object({ key: Type.Optional(Type.String({ maxLength: 100 })) });

const originals: FastifyPluginAsyncTypebox = async (app) => {
  const repository = entryRepository(app.db);
  app.get(
    '/entries/:id/original',
    { schema: { params: EntryParams, querystring: OriginalQuery } },
    async (request, reply) => {
      const { key } = request.query;
      const entry = await repository.get(request.params.id);
      const image = entry?.image;
      if (!image || key === undefined || !keyMatches(key, image.keyHash)) {
        throw notFound('No such file.');
      }
      return reply
        .header('x-accel-redirect', PROTECTED_PREFIX + image.originalPath)
        .header('content-type', image.type)
        .header('content-disposition', disposition(image.name))
        .header('cache-control', 'private, no-cache')
        .send();
    },
  );
};

export default originals;
