import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testApp } from './helpers/app.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('error responses (in-process, no database needed)', () => {
  test('an unknown route is 404 not_found in the shared JSON shape', async (t) => {
    const app = testApp(t);
    const res = await app.inject({
      url: '/no/such/page',
      headers: { 'x-request-id': 'trace-0001' },
    });
    assert.equal(res.statusCode, 404);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(res.json(), {
      statusCode: 404,
      code: 'not_found',
      message: 'Not found.',
      requestId: 'trace-0001',
    });
  });

  test('a browser asking for HTML gets a page with the same facts', async (t) => {
    const app = testApp(t);
    const res = await app.inject({
      url: '/no/such/page',
      headers: {
        accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
        'x-request-id': 'trace-0002',
      },
    });
    assert.equal(res.statusCode, 404);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
    assert.match(res.body, /<code>not_found<\/code>/);
    assert.match(res.body, /trace-0002/);
  });

  test('a malformed URL is 400 in the shared shape, with the request and instance ids', async (t) => {
    const app = testApp(t);
    const res = await app.inject({
      url: '/api/entries/%E0%A4%A',
      headers: { 'x-request-id': 'trace-0003' },
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      statusCode: 400,
      code: 'bad_request',
      message: 'The request URL is not valid.',
      requestId: 'trace-0003',
    });
    assert.equal(res.headers['x-request-id'], 'trace-0003');
    assert.ok(res.headers['x-instance-id']);
  });

  test('a malformed JSON body is 400 invalid_json, not a 500', async (t) => {
    const app = testApp(t);
    const res = await app.inject({
      method: 'POST',
      url: '/api/entries',
      headers: JSON_HEADERS,
      payload: '{"author": "Ann", ',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'invalid_json');
  });

  test('a body failing the schema is 400 validation_failed naming every failing field', async (t) => {
    const app = testApp(t);
    const res = await app.inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: '   ', message: 'x'.repeat(2001) },
    });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 'validation_failed');
    assert.deepEqual(
      body.fields.map((f: { field: string }) => f.field),
      ['/author', '/message'],
    );
  });

  test('a missing field is named by its own path', async (t) => {
    const app = testApp(t);
    const res = await app.inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: 'Ann' },
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().fields, [
      { field: '/message', message: "must have required property 'message'" },
    ]);
  });

  test('query and path parameters are validated too', async (t) => {
    const app = testApp(t);
    for (const [url, field] of [
      ['/api/entries?limit=0', '/limit'],
      ['/api/entries?limit=101', '/limit'],
      ['/api/entries/abc', '/id'],
      ['/api/entries/0', '/id'],
    ] as const) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().fields[0].field, field, url);
    }
  });

  test('a cursor the API did not make is 400 validation_failed on /cursor', async (t) => {
    const app = testApp(t);
    const res = await app.inject({ url: '/api/entries?cursor=not-a-cursor' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().fields, [
      { field: '/cursor', message: 'must be a nextCursor this API returned' },
    ]);
  });

  test('a body of the wrong media type keeps its 4xx status in the shared shape', async (t) => {
    const app = testApp(t);
    const res = await app.inject({
      method: 'POST',
      url: '/api/entries',
      headers: { 'content-type': 'application/xml' },
      payload: '<entry/>',
    });
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().code, 'unsupported_media_type');
  });

  test('an unreachable database is 503 db_unavailable with no driver detail', async (t) => {
    const app = testApp(t);
    for (const url of ['/api/entries', '/api/entries/1', '/readyz']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 503, url);
      const body = res.json();
      assert.equal(body.code, 'db_unavailable', url);
      assert.doesNotMatch(res.body, /ECONNREFUSED|127\.0\.0\.1|at .*\.js/);
    }
  });
});
