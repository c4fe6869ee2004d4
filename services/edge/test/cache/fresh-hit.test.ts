/**
 * The fresh-hit path (src/cache/snapshot.ts) answers exactly what the
 * library's path answers, and steps aside whenever the library must judge.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answer, scripted, sleep } from './helpers.ts';

const FIELDS = { 'cache-control': 's-maxage=60', age: '5', etag: '"v1"', 'x-app': 'yes' };

/** The fields of a reply that must match between the two paths. */
function comparable(headers: Record<string, unknown>): Record<string, unknown> {
  const { 'x-request-id': _id, date: _date, ...rest } = headers;
  return rest;
}

test('a fresh hit has the fields the library path gives: Age counted on, origin Date, ttl', async (t) => {
  const s = await scripted(t, answer(FIELDS, 'stored'));
  const miss = await s.get();
  assert.match(String(miss.headers['cache-status']), /fwd=uri-miss; stored/);
  await sleep(1100);
  const fast = await s.get();
  // max-stale: the library must evaluate the request, and still finds it fresh.
  const library = await s.get('/r', { 'cache-control': 'max-stale=10' });
  assert.equal(s.hits(), 1, 'both were hits');
  assert.equal(fast.text, 'stored');
  assert.deepEqual(comparable(fast.headers), comparable(library.headers));
  assert.equal(fast.headers.date, miss.headers.date, "the origin's Date, not now");
  assert.ok(
    Number(fast.headers.age) >= 6,
    `Age counts on from the upstream's: ${fast.headers.age}`,
  );
  assert.match(String(fast.headers['cache-status']), /^edge; hit; ttl=5[34]$/);
});

test('requests the library must judge skip the fresh-hit path', async (t) => {
  const s = await scripted(t, answer(FIELDS, 'stored'));
  await s.get();
  const asks: Record<string, string>[] = [{ 'cache-control': 'no-cache' }, { pragma: 'no-cache' }];
  for (const headers of asks) {
    const reply = await s.get('/r', headers);
    assert.match(String(reply.headers['cache-status']), /fwd=request/, JSON.stringify(headers));
  }
  assert.equal(s.hits(), 3);
});

test('must-revalidate and a stale entry are never answered by the fresh-hit path', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=1, must-revalidate' }, 'x'));
  await s.get();
  assert.match(String((await s.get()).headers['cache-status']), /^edge; fwd=stale/);
  assert.equal(s.hits(), 2, 'the library revalidates under must-revalidate');
  const t2 = await scripted(t, answer({ 'cache-control': 's-maxage=1' }, 'y'));
  await t2.get();
  assert.match(String((await t2.get()).headers['cache-status']), /^edge; hit/);
  await sleep(1100);
  assert.match(String((await t2.get()).headers['cache-status']), /^edge; fwd=stale/);
  assert.equal(t2.hits(), 2);
});

test('after a 304 refreshed the entry, fresh hits serve the refreshed fields', async (t) => {
  let version = 1;
  const s = await scripted(t, (req, res) => {
    const fields = { 'cache-control': 's-maxage=60', etag: '"same"', 'x-version': `v${version}` };
    if (req.headers['if-none-match'] === '"same"') {
      res.writeHead(304, fields).end();
      return;
    }
    answer(fields, 'body')(req, res);
  });
  await s.get();
  assert.equal((await s.get()).headers['x-version'], 'v1');
  version = 2;
  // Still fresh: only the client's no-cache makes the edge revalidate, so a
  // snapshot left from before the 304 would go on serving v1.
  const revalidated = await s.get('/r', { 'cache-control': 'no-cache' });
  assert.match(String(revalidated.headers['cache-status']), /fwd=request; fwd-status=304/);
  const hit = await s.get();
  assert.match(String(hit.headers['cache-status']), /^edge; hit/);
  assert.equal(hit.headers['x-version'], 'v2', 'the snapshot was taken again');
  assert.equal(hit.text, 'body');
});
