import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useAppOnPostgres } from './helpers/app-on-postgres.ts';

describe('/api/entries CRUD (real PostgreSQL 17)', () => {
  const { app: api } = useAppOnPostgres();

  test('creates an entry: 201, trimmed fields, Location of the new entry', async () => {
    const res = await api().inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: '  Ada  ', message: '\tHello, guestbook!\n' },
    });
    assert.equal(res.statusCode, 201);
    const entry = res.json();
    assert.equal(entry.author, 'Ada');
    assert.equal(entry.message, 'Hello, guestbook!');
    assert.ok(Number.isInteger(entry.id));
    assert.ok(!Number.isNaN(Date.parse(entry.createdAt)));
    assert.equal(res.headers.location, `/api/entries/${entry.id}`);

    const fetched = await api().inject({ url: String(res.headers.location) });
    assert.equal(fetched.statusCode, 200);
    assert.deepEqual(fetched.json(), entry);
  });

  test('stores the longest allowed fields, counted in characters', async () => {
    const author = 'é'.repeat(80);
    const message = '🙂'.repeat(2000);
    const res = await api().inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author, message },
    });
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().author, author);
    assert.equal(res.json().message, message);
  });

  test('lists what was created, newest first', async () => {
    const created = [];
    for (const author of ['first', 'second']) {
      const res = await api().inject({
        method: 'POST',
        url: '/api/entries',
        payload: { author, message: 'm' },
      });
      created.push(res.json().id);
    }
    const res = await api().inject({ url: '/api/entries?limit=2' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().entries.map((e: { id: number }) => e.id),
      created.reverse(),
    );
  });

  test('deletes an entry: 204, then 404 for it on get and on a second delete', async () => {
    const created = await api().inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: 'Bob', message: 'bye' },
    });
    const url = `/api/entries/${created.json().id}`;
    const deleted = await api().inject({ method: 'DELETE', url });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await api().inject({ method, url });
      assert.equal(res.statusCode, 404, method);
      assert.equal(res.json().code, 'not_found', method);
    }
  });

  test('an id that never existed is 404 not_found', async () => {
    const res = await api().inject({ url: `/api/entries/${Number.MAX_SAFE_INTEGER}` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'not_found');
  });
});
