import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mutableResolver, until } from '../proxy/helpers.ts';
import { answer, scripted, sleep } from './helpers.ts';

/** An upstream that holds every answer until the test releases them. */
function held(headers: Record<string, string>) {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const handler = async (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ) => {
    await gate;
    answer(headers, 'shared body')(req, res);
  };
  return { handler, release: () => release() };
}

test('50 concurrent misses for one key: one upstream request, 50 identical answers', async (t) => {
  const upstream = held({ 'cache-control': 's-maxage=60' });
  const s = await scripted(t, upstream.handler);
  const replies = Array.from({ length: 50 }, () => s.get('/hot'));
  // Every request waiting behind the first before it is answered (a fixed
  // sleep was too short when the machine was busy).
  await until(() => s.edge.proxy.stats().cache.coalescedWaits === 49);
  upstream.release();
  const all = await Promise.all(replies);
  assert.equal(s.hits('/hot'), 1);
  for (const reply of all) {
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'shared body');
  }
  const stats = s.edge.proxy.stats().cache;
  assert.equal(stats.coalescedWaits, 49);
  assert.equal(stats.misses, 1);
  assert.equal(stats.hits, 49);
});

test('waiters stop waiting after EDGE_CACHE_LOCK_MS and go upstream themselves', async (t) => {
  const upstream = held({ 'cache-control': 's-maxage=60' });
  const s = await scripted(t, upstream.handler, { cacheLockMs: 100 });
  const replies = Array.from({ length: 5 }, () => s.get('/slow'));
  await sleep(400);
  assert.equal(s.hits('/slow'), 5);
  upstream.release();
  for (const reply of await Promise.all(replies)) assert.equal(reply.text, 'shared body');
});

test('an uncacheable key is not queued: once known, concurrent requests go upstream side by side', async (t) => {
  let gate = held({ 'cache-control': 'private' });
  const s = await scripted(t, (req, res) => gate.handler(req, res));
  gate.release();
  await s.get('/private');
  // Held again: every request must reach the upstream before any answer comes.
  gate = held({ 'cache-control': 'private' });
  const waiting = Array.from({ length: 5 }, () => s.get('/private'));
  await sleep(200);
  assert.equal(s.hits('/private'), 6);
  gate.release();
  await Promise.all(waiting);
});

test('EDGE_CACHE_LOCK_MS=0: no coalescing', async (t) => {
  const upstream = held({ 'cache-control': 's-maxage=60' });
  const s = await scripted(t, upstream.handler, { cacheLockMs: 0 });
  const replies = Array.from({ length: 5 }, () => s.get('/hot'));
  await sleep(200);
  assert.equal(s.hits('/hot'), 5);
  upstream.release();
  await Promise.all(replies);
});

test('a fill that ends in the edge’s own error (no upstream address) lets the next request through at once', async (t) => {
  const { resolve } = mutableResolver([]);
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=60' }), {
    resolve,
    cacheLockMs: 3000,
  });
  assert.equal((await s.get('/gone')).status, 503);
  const started = performance.now();
  assert.equal((await s.get('/gone')).status, 503);
  assert.ok(performance.now() - started < 1500, 'the second request waited for a dead lock');
});
