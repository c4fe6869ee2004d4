import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SHARED_CACHE_CONTROL } from '../src/plugins/shared-cache.ts';
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

  test('reads carry a strong ETag and the shared-cache policy; a matching If-None-Match is 304', async () => {
    const created = await api().inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: 'Cy', message: 'cached' },
    });
    assert.equal(created.headers.etag, undefined, 'a 201 has no tag');
    assert.equal(created.headers['cache-control'], undefined, 'a 201 is not for caches');
    for (const url of [String(created.headers.location), '/api/entries?limit=5']) {
      const first = await api().inject({ url });
      assert.equal(first.statusCode, 200, url);
      assert.equal(first.headers['cache-control'], SHARED_CACHE_CONTROL, url);
      const tag = String(first.headers.etag);
      assert.match(tag, /^"[^"]+"$/, `${url}: strong`);
      const head = await api().inject({ method: 'HEAD', url });
      assert.equal(head.headers.etag, tag, `${url}: HEAD has the GET's tag`);
      // As the edge revalidates, as a browser does with the weak tag the
      // edge's compression gave it, and inside a list.
      for (const ifNoneMatch of [tag, `W/${tag}`, `"other", ${tag}`]) {
        const again = await api().inject({ url, headers: { 'if-none-match': ifNoneMatch } });
        assert.equal(again.statusCode, 304, `${url}: ${ifNoneMatch}`);
        assert.equal(again.body, '');
        assert.equal(again.headers.etag, tag);
        assert.equal(again.headers['cache-control'], SHARED_CACHE_CONTROL);
      }
      const other = await api().inject({ url, headers: { 'if-none-match': '"other"' } });
      assert.equal(other.statusCode, 200, `${url}: another tag`);
      const reload = await api().inject({
        url,
        headers: { 'if-none-match': tag, 'cache-control': 'no-cache' },
      });
      assert.equal(reload.statusCode, 200, `${url}: an end-to-end reload`);
    }
    const list = await api().inject({ url: '/api/entries?limit=5' });
    await api().inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: 'Cy', message: 'newer' },
    });
    const changed = await api().inject({
      url: '/api/entries?limit=5',
      headers: { 'if-none-match': String(list.headers.etag) },
    });
    assert.equal(changed.statusCode, 200, 'a changed list is not 304');
    assert.notEqual(changed.headers.etag, list.headers.etag);
  });

  test('errors carry no lifetime and no tag, and preconditions do not turn them into 304', async () => {
    for (const url of [`/api/entries/${Number.MAX_SAFE_INTEGER}`, '/api/entries?cursor=nope']) {
      const res = await api().inject({ url, headers: { 'if-none-match': '*' } });
      assert.ok(res.statusCode === 404 || res.statusCode === 400, `${url}: ${res.statusCode}`);
      // No lifetime at all: a shared cache stores nothing it was not told to.
      assert.equal(res.headers['cache-control'], undefined, url);
      assert.equal(res.headers.etag, undefined, url);
    }
  });
});
