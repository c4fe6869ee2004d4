import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, PATHS, startForPath } from './helpers.ts';

const FUTURE = 'Fri, 01 Jan 2100 00:00:00 GMT';
const PAST = 'Thu, 01 Jan 1970 00:00:00 GMT';

for (const path of PATHS) {
  test(`conditional requests (${path.name})`, async (t) => {
    const { port, url } = await startForPath(t, path);
    const first = await get(port, url);
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers['last-modified']);

    await t.test('a 200 carries a strong ETag and Last-Modified', () => {
      assert.equal(first.status, 200);
      assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
      assert.ok(!Number.isNaN(Date.parse(lastModified)));
    });

    await t.test('If-None-Match with the ETag → 304 with validators and no body', async () => {
      const answer = await get(port, url, { 'if-none-match': etag });
      assert.equal(answer.status, 304);
      assert.equal(answer.body.length, 0);
      assert.equal(answer.headers.etag, etag);
      assert.equal(answer.headers['last-modified'], lastModified);
      assert.equal(answer.headers.vary, 'Accept-Encoding');
      assert.ok(answer.headers['cache-control']);
      assert.equal(answer.headers['content-type'], undefined);
      assert.ok(answer.headers['x-request-id']);
    });

    await t.test('If-None-Match matches weakly and in a list, and * matches', async () => {
      assert.equal((await get(port, url, { 'if-none-match': `W/${etag}` })).status, 304);
      assert.equal((await get(port, url, { 'if-none-match': `"nope", ${etag}` })).status, 304);
      assert.equal((await get(port, url, { 'if-none-match': '*' })).status, 304);
    });

    await t.test('If-None-Match with another ETag → 200 full', async () => {
      const answer = await get(port, url, { 'if-none-match': '"other"' });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, first.body);
    });

    await t.test('If-Modified-Since at or after Last-Modified → 304; before → 200', async () => {
      assert.equal((await get(port, url, { 'if-modified-since': lastModified })).status, 304);
      assert.equal((await get(port, url, { 'if-modified-since': FUTURE })).status, 304);
      assert.equal((await get(port, url, { 'if-modified-since': PAST })).status, 200);
      assert.equal((await get(port, url, { 'if-modified-since': 'not a date' })).status, 200);
    });

    await t.test('If-None-Match wins over If-Modified-Since', async () => {
      const mismatch = await get(port, url, {
        'if-none-match': '"other"',
        'if-modified-since': FUTURE,
      });
      assert.equal(mismatch.status, 200, 'a failed If-None-Match is not rescued by the date');
      const match = await get(port, url, { 'if-none-match': etag, 'if-modified-since': PAST });
      assert.equal(match.status, 304);
    });

    await t.test('HEAD answers conditionals like GET', async () => {
      assert.equal((await get(port, url, { 'if-none-match': etag }, 'HEAD')).status, 304);
    });

    await t.test('If-Match with another ETag → 412 in the error shape', async () => {
      const answer = await get(port, url, { 'if-match': '"other"' });
      assert.equal(answer.status, 412);
      assert.equal(JSON.parse(answer.body.toString()).code, 'precondition_failed');
      assert.equal((await get(port, url, { 'if-match': etag })).status, 200);
    });

    await t.test('If-Unmodified-Since before Last-Modified → 412', async () => {
      assert.equal((await get(port, url, { 'if-unmodified-since': PAST })).status, 412);
      assert.equal((await get(port, url, { 'if-unmodified-since': FUTURE })).status, 200);
    });
  });
}
