import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answer, scripted, sleep } from './helpers.ts';

test('stale-if-error: every replica gone, the stale entry is served within its window', async (t) => {
  const s = await scripted(
    t,
    answer({ 'cache-control': 'max-age=1, stale-if-error=60' }, 'old but ok'),
  );
  await s.get();
  await sleep(1100);
  await s.upstream.close();
  const reply = await s.get();
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'old but ok');
  assert.match(
    String(reply.headers['cache-status']),
    /^edge; hit; fwd=stale; ttl=-?\d+; detail=stale-if-error$/,
  );
  assert.equal(s.edge.proxy.stats().cache.staleServed, 1);
});

test('stale-if-error: a 5xx from the upstream is replaced by the stale entry', async (t) => {
  let failing = false;
  const s = await scripted(t, (req, res) => {
    if (failing) return answer({}, 'db down', 503)(req, res);
    answer({ 'cache-control': 'max-age=1, stale-if-error=60' }, 'old but ok')(req, res);
  });
  await s.get();
  await sleep(1100);
  failing = true;
  const reply = await s.get();
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'old but ok');
  assert.match(
    String(reply.headers['cache-status']),
    /fwd-status=503; ttl=-?\d+; detail=stale-if-error/,
  );
});

test('stale-if-error: past the window, the error goes through', async (t) => {
  const s = await scripted(
    t,
    answer({ 'cache-control': 'max-age=1, stale-if-error=1' }, 'too old'),
  );
  await s.get();
  await sleep(2100);
  await s.upstream.close();
  const reply = await s.get();
  assert.equal(reply.status, 502);
});

test('stale-if-error is void with s-maxage (proxy-revalidate for a shared cache)', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=1, stale-if-error=60' }, 'no'));
  await s.get();
  await sleep(1100);
  await s.upstream.close();
  assert.equal((await s.get()).status, 502);
});

test('without stale-if-error, an upstream error is never hidden', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 'max-age=1' }, 'no'));
  await s.get();
  await sleep(1100);
  await s.upstream.close();
  assert.equal((await s.get()).status, 502);
});
