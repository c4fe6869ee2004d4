/** `/api/entries`: the guestbook's JSON API. Handlers stay thin; SQL is in the repository. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { HttpError, notFound } from '../http-error.ts';
import { originalUrl } from '../media/original-route.ts';
import { isUpload } from '../media/service.ts';
import uploads from '../media/uploads.ts';
import { ErrorResponse } from '../plugins/errors.ts';
import sharedCache, { SHARED_CACHE_CONTROL } from '../plugins/shared-cache.ts';
import { trimBody } from '../trim.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { publicEntry } from './public.ts';
import { entryRepository } from './repository.ts';
import {
  apiErrors,
  CreatedEntry,
  Entry,
  EntryPage,
  EntryParams,
  ListQuery,
  NewEntry,
  NewEntryWithImage,
} from './schemas.ts';

function noEntry(id: number): HttpError {
  return notFound(`No entry has id ${id}.`);
}

const imageErrors = { 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse };

const entries: FastifyPluginAsyncTypebox<{ maxUploadBytes: number }> = async (
  app,
  { maxUploadBytes },
) => {
  const repository = entryRepository(app.db);
  await app.register(uploads, { maxBytes: maxUploadBytes });
  // The list and an entry may be kept by the edge (ETag, Cache-Control);
  // a POST or DELETE here drops the edge's copies of what it changed (the
  // target and its Location), so the writer reads its own write at once.
  app.register(sharedCache, { cacheControl: SHARED_CACHE_CONTROL });

  app.get(
    '/',
    { schema: { querystring: ListQuery, response: { 200: EntryPage, ...apiErrors } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after) {
        throw new HttpError(400, 'validation_failed', 'The request is not valid.', [
          { field: '/cursor', message: 'must be a nextCursor this API returned' },
        ]);
      }
      const page = await repository.list(limit, after);
      return {
        entries: page.entries.map(publicEntry),
        nextCursor: page.next ? encodeCursor(page.next) : null,
      };
    },
  );

  app.post(
    '/',
    {
      schema: {
        body: {
          content: {
            'application/json': { schema: NewEntry },
            'multipart/form-data': { schema: NewEntryWithImage },
          },
        },
        response: { 201: CreatedEntry, ...imageErrors, ...apiErrors },
      },
      // Trim before validation, so "   " fails minLength and lengths count
      // what is stored.
      preValidation: trimBody(NewEntry),
    },
    async (request, reply) => {
      const body = request.body as { author: string; message: string; image?: unknown };
      if (body.image !== undefined && !isUpload(body.image)) {
        throw new HttpError(400, 'validation_failed', 'The request is not valid.', [
          { field: '/image', message: 'must be a file' },
        ]);
      }
      // The files first, then the row that names them.
      const saved = body.image === undefined ? undefined : await app.media.save(body.image);
      const entry = await repository.create(body.author, body.message, saved?.image);
      // The original's secret link: in this answer only, never in a read.
      const original = saved ? { originalUrl: originalUrl(entry.id, saved.key) } : {};
      return reply
        .code(201)
        .header('location', `/api/entries/${entry.id}`)
        .send({ ...publicEntry(entry), ...original });
    },
  );

  app.get(
    '/:id',
    { schema: { params: EntryParams, response: { 200: Entry, 404: ErrorResponse, ...apiErrors } } },
    async (request) => {
      const entry = await repository.get(request.params.id);
      if (!entry) throw noEntry(request.params.id);
      return publicEntry(entry);
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        params: EntryParams,
        response: { 204: Type.Null(), 404: ErrorResponse, ...apiErrors },
      },
    },
    async (request, reply) => {
      const files = await repository.remove(request.params.id);
      if (!files) throw noEntry(request.params.id);
      await app.media.release(files, repository.mediaInUse);
      return reply.code(204).send(null);
    },
  );
};

export default entries;
