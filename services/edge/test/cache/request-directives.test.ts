import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answer, scripted } from './helpers.ts';

test('Vary: one entry per selecting value, each served to its own requests', async (t) => {
  const s = await scripted(t, (req, res) => {
    const lang = String(req.headers['accept-language'] ?? 'none');
    answer({ 'cache-control': 's-maxage=60', vary: 'Accept-Language' }, `in ${lang}`)(req, res);
  });
  assert.equal((await s.get('/r', { 'accept-language': 'fr' })).text, 'in fr');
  const de = await s.get('/r', { 'accept-language': 'de' });
  assert.equal(de.text, 'in de');
  assert.match(String(de.headers['cache-status']), /fwd=vary-miss; stored/);
  assert.equal((await s.get('/r', { 'accept-language': 'fr' })).text, 'in fr');
  assert.equal((await s.get('/r', { 'accept-language': 'de' })).text, 'in de');
  assert.equal((await s.get('/r')).text, 'in none');
  assert.equal(s.hits(), 3);
  assert.equal(s.edge.proxy.stats().cache.entries, 3);
});

test('a listed field absent from both requests matches; present in one only, it does not', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=60', vary: 'x-flag' }));
  await s.get('/r');
  await s.get('/r');
  assert.equal(s.hits(), 1);
  await s.get('/r', { 'x-flag': '1' });
  assert.equal(s.hits(), 2);
});

for (const directive of ['no-cache', 'max-age=0']) {
  test(`a request with ${directive} revalidates the stored entry upstream`, async (t) => {
    const s = await scripted(t, (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"', 'cache-control': 's-maxage=60' });
        res.end();
        return;
      }
      answer({ 'cache-control': 's-maxage=60', etag: '"v1"' }, 'kept')(req, res);
    });
    await s.get();
    const forced = await s.get('/r', { 'cache-control': directive });
    assert.equal(forced.status, 200);
    assert.equal(forced.text, 'kept');
    assert.equal(s.hits(), 2);
    assert.equal(s.requests[1]?.headers['if-none-match'], '"v1"');
    const fwd = directive === 'no-cache' ? 'request' : 'stale';
    assert.match(String(forced.headers['cache-status']), new RegExp(`fwd=${fwd}; fwd-status=304`));
  });
}

test('only-if-cached: a miss is 504 without asking the upstream, a stored entry is served', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=60' }, 'here'));
  const miss = await s.get('/r', { 'cache-control': 'only-if-cached' });
  assert.equal(miss.status, 504);
  assert.equal(miss.headers['cache-status'], 'edge; fwd=miss; detail=only-if-cached');
  assert.equal(s.hits(), 0);
  await s.get();
  const hit = await s.get('/r', { 'cache-control': 'only-if-cached' });
  assert.equal(hit.status, 200);
  assert.equal(hit.text, 'here');
  assert.equal(s.hits(), 1);
});

test('the client’s own validators never reach the upstream on a revalidation', async (t) => {
  const s = await scripted(t, (req, res) => {
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
      return;
    }
    answer({ 'cache-control': 's-maxage=60', etag: '"v1"' }, 'kept')(req, res);
  });
  await s.get();
  const reply = await s.get('/r', { 'cache-control': 'no-cache', 'if-none-match': '"other"' });
  assert.equal(reply.status, 200);
  assert.equal(s.requests[1]?.headers['if-none-match'], '"v1"');
});
