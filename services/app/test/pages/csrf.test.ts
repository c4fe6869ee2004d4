import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useAppOnPostgres } from '../helpers/app-on-postgres.ts';
import { newVisitor, submit, visit } from './helpers.ts';

const { app: server } = useAppOnPostgres();

async function count(): Promise<number> {
  return (await server().inject({ url: '/api/entries?limit=100' })).json().entries.length;
}

describe('CSRF protection of the forms (real PostgreSQL 17)', () => {
  test('a post without the CSRF cookie is refused with 403 and writes nothing', async () => {
    const res = await submit(server(), newVisitor(), '/entries', {
      author: 'Mallory',
      message: 'cross-site',
      _csrf: 'made-up-token',
    });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /csrf_invalid/);
    assert.equal(await count(), 0);
  });

  test("a token from another visitor's page is refused", async () => {
    const victim = newVisitor();
    const attacker = newVisitor();
    await visit(server(), victim);
    await visit(server(), attacker);
    const res = await submit(server(), victim, '/entries', {
      author: 'Mallory',
      message: 'token swap',
      _csrf: attacker.token,
    });
    assert.equal(res.statusCode, 403);
    assert.equal(await count(), 0);
  });

  test('a delete without a token is refused and the entry stays', async () => {
    const created = await server().inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: 'Keep', message: 'me' },
    });
    const visitor = newVisitor();
    await visit(server(), visitor);
    const res = await submit(server(), visitor, `/entries/${created.json().id}/delete`, {
      _csrf: '',
    });
    assert.equal(res.statusCode, 403);
    assert.equal(
      (await server().inject({ url: `/api/entries/${created.json().id}` })).statusCode,
      200,
    );
  });

  test('the CSRF cookie is HttpOnly and SameSite=Strict', async () => {
    const res = await server().inject({ url: '/', headers: { accept: 'text/html' } });
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /^_csrf=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
  });
});
