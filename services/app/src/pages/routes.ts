/**
 * The server-rendered guestbook: list, post (POST-redirect-GET), delete.
 * Forms carry a CSRF token checked in `preValidation`: after the body is
 * parsed (the token travels in it) and before anything is written.
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { decodeCursor, encodeCursor } from '../entries/cursor.ts';
import { entryRepository } from '../entries/repository.ts';
import { EntryParams } from '../entries/schemas.ts';
import { HttpError } from '../http-error.ts';
import { readEntryForm } from './form.ts';
import { type FormState, guestbookPage } from './guestbook-view.ts';

export interface PagesOptions {
  pageSize?: number;
}

const HTML = 'text/html; charset=utf-8';

const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  posted: Type.Optional(Type.Literal('1')),
});

// A form is a few KiB at most; a larger body is not a guestbook post.
const FORM_BODY_LIMIT = 16 * 1024;

const pages: FastifyPluginAsyncTypebox<PagesOptions> = async (app, { pageSize = 20 }) => {
  const repository = entryRepository(app.db);

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
  await app.register(csrf, {
    // `secure: 'auto'` follows request.protocol, which believes
    // X-Forwarded-Proto only from trusted proxies: Secure behind TLS, still
    // usable over plain http in development. SameSite=Strict keeps the cookie
    // off every cross-site request, the first line against CSRF.
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: 'auto' },
  });

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
    if (!form.ok) return render(reply, 422, { form: form.state });
    const entry = await repository.create(form.author, form.message);
    // 303 turns the POST into a GET, so a reload does not post twice.
    return reply.redirect(`/?posted=1#entry-${entry.id}`, 303);
  });

  app.post(
    '/entries/:id/delete',
    { preValidation: app.csrfProtection, schema: { params: EntryParams } },
    async (request, reply) => {
      // Deleting what is already gone lands on the same page: the outcome the
      // visitor wanted holds, and a double-submitted form is harmless.
      await repository.remove(request.params.id);
      return reply.redirect('/', 303);
    },
  );
};

export default pages;
