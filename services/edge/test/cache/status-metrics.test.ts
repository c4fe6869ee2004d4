import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeProxyStats, proxyStatsToPrometheus } from '../../src/proxy/index.ts';
import { answer, scripted } from './helpers.ts';

test('Cache-Status names this cache and how it handled each request (RFC 9211)', async (t) => {
  const s = await scripted(t, (req, res) => {
    if (req.url === '/private') return answer({ 'cache-control': 'private' })(req, res);
    answer({ 'cache-control': 's-maxage=30' })(req, res);
  });
  assert.equal((await s.get()).headers['cache-status'], 'edge; fwd=uri-miss; stored; ttl=30');
  assert.match(String((await s.get()).headers['cache-status']), /^edge; hit; ttl=(29|30)$/);
  assert.equal((await s.get('/private')).headers['cache-status'], 'edge; fwd=uri-miss');
  const post = await s.send({ method: 'POST', path: '/r', body: 'x' });
  assert.equal(post.headers['cache-status'], undefined);
});

test('metrics: hits, misses, stores, revalidations, bytes and entries, added over workers', async (t) => {
  const s = await scripted(t, (req, res) => {
    if (req.headers['if-none-match'] === '"m"') {
      res.writeHead(304, { etag: '"m"' });
      res.end();
      return;
    }
    answer({ 'cache-control': 's-maxage=60', etag: '"m"' }, 'twelve bytes')(req, res);
  });
  await s.get();
  await s.get();
  await s.get('/r', { 'cache-control': 'no-cache' });
  await s.send({ method: 'POST', path: '/r', body: 'x' });
  const one = s.edge.proxy.stats();
  assert.equal(one.cache.hits, 1);
  assert.equal(one.cache.misses, 2);
  assert.equal(one.cache.stores, 1);
  assert.equal(one.cache.revalidations, 1);
  assert.equal(one.cache.invalidations, 1);
  assert.equal(one.cache.entries, 0);
  await s.get();
  const two = s.edge.proxy.stats();
  assert.ok(two.cache.bytes > 12);
  const merged = mergeProxyStats([two, two]);
  assert.equal(merged.cache.hits, 2);
  const text = proxyStatsToPrometheus(merged, 'edge');
  for (const line of [
    'edge_cache_hits_total 2',
    'edge_cache_misses_total 6',
    'edge_cache_revalidations_total 2',
    'edge_cache_coalesced_waits_total 0',
    'edge_cache_evictions_total 0',
    'edge_cache_stale_served_total 0',
    `edge_cache_bytes ${two.cache.bytes * 2}`,
    'edge_cache_entries 2',
  ]) {
    assert.ok(text.includes(`\n${line}\n`), line);
  }
});
