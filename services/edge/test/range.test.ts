import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, PATHS, startForPath } from './helpers.ts';

for (const path of PATHS) {
  test(`range requests (${path.name})`, async (t) => {
    const { port, url, text } = await startForPath(t, path);
    const full = Buffer.from(text);
    const size = full.length;
    const first = await get(port, url);
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers['last-modified']);

    await t.test('a 200 advertises Accept-Ranges: bytes', () => {
      assert.equal(first.headers['accept-ranges'], 'bytes');
    });

    await t.test('a single range → 206 with Content-Range and exactly those bytes', async () => {
      const answer = await get(port, url, { range: 'bytes=10-19' });
      assert.equal(answer.status, 206);
      assert.equal(answer.headers['content-range'], `bytes 10-19/${size}`);
      assert.equal(answer.headers['content-length'], '10');
      assert.deepEqual(answer.body, full.subarray(10, 20));
      assert.equal(answer.headers.etag, etag);
    });

    await t.test('open-ended and suffix ranges', async () => {
      const tail = await get(port, url, { range: `bytes=${size - 5}-` });
      assert.equal(tail.status, 206);
      assert.deepEqual(tail.body, full.subarray(size - 5));
      const suffix = await get(port, url, { range: 'bytes=-7' });
      assert.equal(suffix.headers['content-range'], `bytes ${size - 7}-${size - 1}/${size}`);
      assert.deepEqual(suffix.body, full.subarray(size - 7));
    });

    await t.test('a range past the end → 416 with Content-Range: bytes */N', async () => {
      const answer = await get(port, url, { range: `bytes=${size}-${size + 10}` });
      assert.equal(answer.status, 416);
      assert.equal(answer.headers['content-range'], `bytes */${size}`);
      assert.equal(JSON.parse(answer.body.toString()).code, 'range_not_satisfiable');
    });

    await t.test('several ranges → the full 200 (no multipart/byteranges)', async () => {
      const answer = await get(port, url, { range: 'bytes=0-1,20-21' });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, full);
    });

    await t.test('a malformed Range is ignored → 200', async () => {
      assert.equal((await get(port, url, { range: 'bytes=z-y' })).status, 200);
      assert.equal((await get(port, url, { range: 'items=0-1' })).status, 200);
    });

    await t.test('If-Range with the ETag or the exact date → 206', async () => {
      const byTag = await get(port, url, { range: 'bytes=0-3', 'if-range': etag });
      assert.equal(byTag.status, 206);
      const byDate = await get(port, url, { range: 'bytes=0-3', 'if-range': lastModified });
      assert.equal(byDate.status, 206);
    });

    await t.test('If-Range that does not match → the full 200', async () => {
      for (const ifRange of ['"other"', `W/${etag}`, 'Thu, 01 Jan 1970 00:00:00 GMT']) {
        const answer = await get(port, url, { range: 'bytes=0-3', 'if-range': ifRange });
        assert.equal(answer.status, 200, ifRange);
        assert.deepEqual(answer.body, full);
      }
    });

    await t.test('HEAD ignores Range', async () => {
      const answer = await get(port, url, { range: 'bytes=0-3' }, 'HEAD');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-length'], String(size));
    });

    await t.test('a range applies to the negotiated representation', async () => {
      const br = await get(port, url, { 'accept-encoding': 'br' });
      const part = await get(port, url, { 'accept-encoding': 'br', range: 'bytes=2-9' });
      assert.equal(part.status, 206);
      assert.equal(part.headers['content-encoding'], 'br');
      assert.equal(part.headers['content-range'], `bytes 2-9/${br.body.length}`);
      assert.deepEqual(part.body, br.body.subarray(2, 10));
    });
  });
}
