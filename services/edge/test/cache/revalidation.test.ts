import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answer, scripted, sleep } from './helpers.ts';

const LAST_MODIFIED = new Date(Date.now() - 3_600_000).toUTCString();

test('a stale entry is revalidated with If-None-Match; the 304 refreshes its fields and freshness', async (t) => {
  let version = 1;
  const s = await scripted(t, (req, res) => {
    if (req.headers['if-none-match'] === '"e1"') {
      res.writeHead(304, {
        etag: '"e1"',
        'cache-control': 's-maxage=60',
        'x-version': String(++version),
      });
      res.end();
      return;
    }
    answer({ 'cache-control': 's-maxage=1', etag: '"e1"', 'x-version': '1' }, 'the body')(req, res);
  });
  await s.get();
  await sleep(1100);
  const revalidated = await s.get();
  assert.equal(revalidated.status, 200);
  assert.equal(revalidated.text, 'the body');
  assert.equal(revalidated.headers['x-version'], '2');
  assert.match(
    String(revalidated.headers['cache-status']),
    /^edge; fwd=stale; fwd-status=304; ttl=(59|60)$/,
  );
  assert.equal(s.requests[1]?.headers['if-none-match'], '"e1"');
  // Fresh again for 60 s: the next one is a hit with the refreshed fields.
  const hit = await s.get();
  assert.match(String(hit.headers['cache-status']), /^edge; hit/);
  assert.equal(hit.headers['x-version'], '2');
  assert.equal(s.hits(), 2);
  assert.equal(s.edge.proxy.stats().cache.revalidations, 1);
});

test('Last-Modified alone: revalidated with If-Modified-Since', async (t) => {
  const s = await scripted(t, (req, res) => {
    if (req.headers['if-modified-since'] === LAST_MODIFIED) {
      res.writeHead(304, { 'last-modified': LAST_MODIFIED });
      res.end();
      return;
    }
    answer({ 'cache-control': 's-maxage=1', 'last-modified': LAST_MODIFIED }, 'dated')(req, res);
  });
  await s.get();
  await sleep(1100);
  const again = await s.get();
  assert.equal(again.text, 'dated');
  assert.equal(s.requests[1]?.headers['if-modified-since'], LAST_MODIFIED);
  assert.match(String(again.headers['cache-status']), /fwd-status=304/);
});

test('a 200 to the revalidation replaces the stored body', async (t) => {
  let body = 'old';
  const s = await scripted(t, (req, res) =>
    answer({ 'cache-control': 's-maxage=1', etag: `"${body}"` }, body)(req, res),
  );
  await s.get();
  body = 'new';
  await sleep(1100);
  const replaced = await s.get();
  assert.equal(replaced.text, 'new');
  assert.match(String(replaced.headers['cache-status']), /fwd=stale; fwd-status=200; stored/);
  assert.equal((await s.get()).text, 'new');
  assert.equal(s.hits(), 2);
});

for (const directive of ['must-revalidate', 'proxy-revalidate']) {
  test(`${directive}: never served stale, even with the upstream gone`, async (t) => {
    const s = await scripted(
      t,
      answer(
        { 'cache-control': `max-age=1, ${directive}, stale-if-error=60`, etag: '"m"' },
        'strict',
      ),
    );
    await s.get();
    await sleep(1100);
    await s.upstream.close();
    const reply = await s.get();
    assert.equal(reply.status, 502);
    assert.notEqual(reply.text, 'strict');
  });

  test(`${directive}: revalidated with the stored validator before reuse`, async (t) => {
    const s = await scripted(t, (req, res) => {
      if (req.headers['if-none-match'] === '"m"') {
        res.writeHead(304, { etag: '"m"' });
        res.end();
        return;
      }
      answer({ 'cache-control': `s-maxage=1, ${directive}`, etag: '"m"' }, 'strict')(req, res);
    });
    await s.get();
    await sleep(1100);
    const again = await s.get();
    assert.equal(again.text, 'strict');
    assert.equal(s.requests[1]?.headers['if-none-match'], '"m"');
  });
}

test("the client's own If-None-Match or If-Modified-Since against a stored answer: 304 from the cache", async (t) => {
  const s = await scripted(
    t,
    answer(
      { 'cache-control': 's-maxage=60', etag: '"c1"', 'last-modified': LAST_MODIFIED },
      'cached',
    ),
  );
  await s.get();
  const byTag = await s.get('/r', { 'if-none-match': 'W/"c1"' });
  assert.equal(byTag.status, 304);
  assert.equal(byTag.body.length, 0);
  assert.equal(byTag.headers.etag, '"c1"');
  const byDate = await s.get('/r', { 'if-modified-since': new Date().toUTCString() });
  assert.equal(byDate.status, 304);
  const other = await s.get('/r', { 'if-none-match': '"c0"' });
  assert.equal(other.status, 200);
  assert.equal(other.text, 'cached');
  const older = await s.get('/r', { 'if-modified-since': new Date(0).toUTCString() });
  assert.equal(older.status, 200);
  assert.equal(s.hits(), 1);
});
