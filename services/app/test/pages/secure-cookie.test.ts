import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import type { App } from '../../src/app.ts';
import forms from '../../src/pages/forms.ts';
import { useAppOnPostgres } from '../helpers/app-on-postgres.ts';

// A peer inside APP_TRUSTED_PROXIES (uniquelocal, as compose sets it: the
// edge's address on the stack's network) and one outside it.
const EDGE = '10.0.3.7';
const STRANGER = '203.0.113.9';

async function csrfCookie(app: App, remoteAddress: string, headers: Record<string, string> = {}) {
  const res = await app.inject({
    url: '/',
    remoteAddress,
    headers: { accept: 'text/html', ...headers },
  });
  assert.equal(res.statusCode, 200);
  const cookies = [res.headers['set-cookie'] ?? []].flat();
  assert.equal(cookies.length, 1, 'one cookie: the CSRF secret');
  const cookie = String(cookies[0]);
  assert.match(cookie, /^_csrf=[^;]+/);
  // The rest of the rule holds either way.
  assert.match(cookie, /; Path=\//);
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Strict/);
  assert.doesNotMatch(cookie, /; Domain=/i);
  return {
    cookie,
    secure: /; Secure(;|$)/.test(cookie),
    value: /^_csrf=([^;]+)/.exec(cookie)?.[1],
  };
}

const HTTPS = { 'x-forwarded-proto': 'https' };

describe('the CSRF cookie is Secure exactly when the visitor came over HTTPS (real PostgreSQL 17)', () => {
  const { app } = useAppOnPostgres({ env: { APP_TRUSTED_PROXIES: 'uniquelocal' } });

  test('X-Forwarded-Proto: https from a trusted proxy: Secure', async () => {
    assert.equal((await csrfCookie(app(), EDGE, HTTPS)).secure, true);
  });

  test('X-Forwarded-Proto: https from an untrusted peer: not Secure', async () => {
    assert.equal((await csrfCookie(app(), STRANGER, HTTPS)).secure, false);
  });

  test('plain http, or X-Forwarded-Proto: http, from the trusted proxy: not Secure', async () => {
    assert.equal((await csrfCookie(app(), EDGE)).secure, false);
    const said = { 'x-forwarded-proto': 'http' };
    assert.equal((await csrfCookie(app(), EDGE, said)).secure, false);
  });

  test('the Secure cookie carries a working form over HTTPS', async () => {
    const { value } = await csrfCookie(app(), EDGE, HTTPS);
    const page = await app().inject({
      url: '/',
      remoteAddress: EDGE,
      headers: { accept: 'text/html', ...HTTPS },
      cookies: { _csrf: value ?? '' },
    });
    assert.equal(page.headers['set-cookie'], undefined, 'the cookie is kept, not replaced');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const posted = await app().inject({
      method: 'POST',
      url: '/entries',
      remoteAddress: EDGE,
      headers: { ...HTTPS, 'content-type': 'application/x-www-form-urlencoded' },
      cookies: { _csrf: value ?? '' },
      payload: new URLSearchParams({ _csrf: token, author: 'Ada', message: 'over TLS' }).toString(),
    });
    assert.equal(posted.statusCode, 303);
  });
});

describe('with no trusted proxy (the default), X-Forwarded-Proto changes nothing (real PostgreSQL 17)', () => {
  const { app } = useAppOnPostgres();

  test('https claimed from the edge’s address: not Secure', async () => {
    assert.equal((await csrfCookie(app(), EDGE, HTTPS)).secure, false);
  });
});

test('any other cookie set where forms is registered follows the same rule', async (t) => {
  const app = Fastify({ trustProxy: EDGE });
  t.after(() => app.close());
  await app.register(async (scope) => {
    await scope.register(forms);
    scope.get('/', (_request, reply) => reply.setCookie('other', '1').send('ok'));
  });
  const cookie = async (remoteAddress: string) =>
    String((await app.inject({ url: '/', remoteAddress, headers: HTTPS })).headers['set-cookie']);
  assert.match(await cookie(EDGE), /^other=1; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
  assert.match(await cookie(STRANGER), /^other=1; Path=\/; HttpOnly; SameSite=Strict$/);
});
