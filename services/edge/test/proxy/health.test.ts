import assert from 'node:assert/strict';
import { test } from 'node:test';
import { send, startCheckedReplicas, until } from './helpers.ts';

test('an address whose health path fails leaves the rotation and returns when it passes', async (t) => {
  const ready = [true, true];
  const { edge } = await startCheckedReplicas(t, ready, (i) => (_req, res) => {
    res.end(`replica ${i}`);
  });
  const second = () => edge.proxy.stats().upstreams.find((u) => u.address.startsWith('127.0.0.2'));

  // Both serve; the second has keep-alive connections open.
  const before = await Promise.all(Array.from({ length: 6 }, () => send(edge.port)));
  assert.ok(before.some((r) => r.text === 'replica 1'));

  ready[1] = false;
  await until(() => second()?.healthy === false);
  // Its idle connections are closed, and it gets no new requests.
  await until(() => second()?.connected === 0);
  const during = await Promise.all(Array.from({ length: 6 }, () => send(edge.port)));
  assert.deepEqual(new Set(during.map((r) => r.text)), new Set(['replica 0']));
  assert.ok(edge.proxy.stats().healthCheckFailures >= 1);

  ready[1] = true;
  await until(() => second()?.healthy === true);
  const after = await Promise.all(Array.from({ length: 6 }, () => send(edge.port)));
  assert.ok(after.some((r) => r.text === 'replica 1'));
});

test('every address failing its health path gives 503 no_upstream', async (t) => {
  const { edge } = await startCheckedReplicas(t, [false], () => (_req, res) => res.end());
  await until(() => edge.proxy.stats().upstreams[0]?.healthy === false);
  const reply = await send(edge.port);
  assert.equal(reply.status, 503);
  assert.equal(JSON.parse(reply.text).code, 'no_upstream');
});
