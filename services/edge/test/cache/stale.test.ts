import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answer, scripted, sleep, until } from './helpers.ts';

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

test('stale-if-error holds with s-maxage too (the origin asked for both)', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=1, stale-if-error=60' }, 'yes'));
  await s.get();
  await sleep(1100);
  await s.upstream.close();
  assert.equal((await s.get()).text, 'yes');
});

test('stale-while-revalidate: the stale entry at once, one refresh behind it, then the new body', async (t) => {
  let version = 1;
  let release: () => void = () => {};
  const s = await scripted(t, async (req, res) => {
    const body = `v${version}`;
    if (version > 1) await new Promise<void>((resolve) => (release = resolve));
    answer({ 'cache-control': 's-maxage=1, stale-while-revalidate=60' }, body)(req, res);
  });
  await s.get();
  await sleep(1100);
  version = 2;
  const stale = await Promise.all([s.get(), s.get(), s.get()]);
  for (const reply of stale) {
    assert.equal(reply.text, 'v1');
    assert.match(String(reply.headers['cache-status']), /detail=stale-while-revalidate$/);
  }
  await until(() => s.hits() === 2).catch(() => assert.fail(`hits ${s.hits()}`));
  release();
  await until(() => s.edge.proxy.stats().cache.stores === 2);
  const fresh = await s.get();
  assert.equal(fresh.text, 'v2');
  assert.match(String(fresh.headers['cache-status']), /^edge; hit/);
  assert.equal(s.hits(), 2);
  assert.equal(s.edge.proxy.stats().cache.staleServed, 3);
});

test('stale-while-revalidate past its window: the client waits for the upstream', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 'max-age=1, stale-while-revalidate=1' }));
  await s.get();
  await sleep(2100);
  const reply = await s.get();
  assert.match(String(reply.headers['cache-status']), /^edge; fwd=stale; fwd-status=200; stored/);
});

test('without stale-if-error, an upstream error is never hidden', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 'max-age=1' }, 'no'));
  await s.get();
  await sleep(1100);
  await s.upstream.close();
  assert.equal((await s.get()).status, 502);
});
