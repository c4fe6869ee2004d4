/**
 * The server-rendered guestbook: list, post (POST-redirect-GET), delete.
 * Forms carry a CSRF token checked in `preValidation`: after the body is
 * parsed (the token travels in it) and before anything is written.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { decodeCursor, encodeCursor } from '../entries/cursor.ts';
import { entryRepository, type StoredImage } from '../entries/repository.ts';
import { EntryParams, NewEntry, newEntryMessages } from '../entries/schemas.ts';
import { HttpError } from '../http-error.ts';
import { isUpload } from '../media/service.ts';
import uploads from '../media/uploads.ts';
import { formValidator } from './form-validation.ts';
import forms from './forms.ts';
import { type FormState, guestbookPage } from './guestbook-view.ts';

export interface PagesOptions {
  pageSize?: number;
  /** APP_MEDIA_MAX_BYTES: the largest image the form takes. */
  maxUploadBytes: number;
}

const HTML = 'text/html; charset=utf-8';

const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  posted: Type.Optional(Type.Literal('1')),
});

// The API's schema, compiled once: the form accepts what POST /api/entries accepts.
const readEntryForm = formValidator(NewEntry, newEntryMessages);

const pages: FastifyPluginAsyncTypebox<PagesOptions> = async (
  app,
  { pageSize = 20, maxUploadBytes },
) => {
  const repository = entryRepository(app.db);

  await app.register(forms);
  // The form is multipart (its file input); a urlencoded post still works.
  await app.register(uploads, { maxBytes: maxUploadBytes });

  async function render(
    reply: FastifyReply,
    status: number,
    view: { cursor?: string | undefined; form?: FormState; notice?: string },
  ) {
    const after = view.cursor === undefined ? undefined : decodeCursor(view.cursor);
    if (view.cursor !== undefined && !after) {
      throw new HttpError(400, 'invalid_cursor', 'That page link is not valid.');
    }
    const page = await repository.list(pageSize, after);
    const body = guestbookPage({
      asset: app.asset,
      csrfToken: reply.generateCsrf(),
      entries: page.entries,
      nextCursor: page.next ? encodeCursor(page.next) : null,
      paged: after !== undefined,
      ...(view.form ? { form: view.form } : {}),
      ...(view.notice ? { notice: view.notice } : {}),
    });
    // The page embeds a per-visitor CSRF token: no shared cache may keep it.
    return reply.code(status).type(HTML).header('cache-control', 'no-store').send(body);
  }

  app.get('/', { schema: { querystring: PageQuery } }, (request, reply) =>
    render(reply, 200, {
      cursor: request.query.cursor,
      ...(request.query.posted ? { notice: 'Thank you, your entry is posted.' } : {}),
    }),
  );

  app.post('/entries', { preValidation: app.csrfProtection }, async (request, reply) => {
    const form = readEntryForm(request.body);
    // 422: understood but not acceptable; the page says why and keeps the input.
    if (!form.ok) return render(reply, 422, { form });
    const upload = (request.body as { image?: unknown }).image;
    let image: StoredImage | undefined;
    if (isUpload(upload)) {
      try {
        image = (await app.media.save(upload)).image;
      } catch (error) {
        if (!(error instanceof HttpError) || error.statusCode >= 500) throw error;
        // The image's own problem (its type, size, pixels): said beside the
        // file input, with the text kept. The status stays the API's.
        const values = form.value;
        return render(reply, error.statusCode, {
          form: { values, errors: { image: error.message } },
        });
      }
    }
    const entry = await repository.create(form.value.author, form.value.message, image);
    // 303 turns the POST into a GET, so a reload does not post twice.
    return reply.redirect(`/?posted=1#entry-${entry.id}`, 303);
  });

  app.post(
    '/entries/:id/delete',
    { preValidation: app.csrfProtection, schema: { params: EntryParams } },
    async (request, reply) => {
      // Deleting what is already gone lands on the same page: the outcome the
      // visitor wanted holds, and a double-submitted form is harmless.
      const files = await repository.remove(request.params.id);
      if (files) await app.media.release(files, repository.mediaInUse);
      return reply.redirect('/', 303);
    },
  );
};

export default pages;
