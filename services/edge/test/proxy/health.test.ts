import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  mutableResolver,
  send,
  startCheckedReplicas,
  startEdge,
  startReplicas,
  startUpstream,
  until,
  upstreamUrl,
} from './helpers.ts';

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

test('when every address fails its health path, requests still reach them (panic mode)', async (t) => {
  // The replica's own answer, not no_upstream: a database outage reaches the
  // client as the app's 503 db_unavailable.
  const { edge } = await startCheckedReplicas(t, [false], () => (_req, res) => {
    res.statusCode = 503;
    res.end('replica says: database down');
  });
  await until(() => edge.proxy.stats().upstreams[0]?.healthy === false);
  const reply = await send(edge.port);
  assert.equal(reply.status, 503);
  assert.equal(reply.text, 'replica says: database down');
});

test('an address that stops answering its health check gets no requests, even in panic mode', async (t) => {
  const { replicas, edge } = await startCheckedReplicas(t, [false], () => (_req, res) => res.end());
  await until(() => edge.proxy.stats().upstreams[0]?.healthy === false);
  await replicas[0]?.close();
  // The next checks find nothing listening; requests then get no_upstream at
  // once instead of waiting for a connection to a gone replica.
  let reply = await send(edge.port);
  for (const end = Date.now() + 5000; reply.status !== 503 && Date.now() < end; ) {
    await sleep(50);
    reply = await send(edge.port);
  }
  assert.equal(reply.status, 503);
  assert.equal(JSON.parse(reply.text).code, 'no_upstream');
});

test('a replica whose health check says draining is left out of panic mode', async (t) => {
  // Its /readyz answers as the app's does while it drains.
  const [replica] = await startReplicas(t, 1, () => (req, res) => {
    if (req.url === '/readyz') {
      res.statusCode = 503;
      res.end(
        JSON.stringify({ statusCode: 503, code: 'draining', message: 'bye', requestId: 'x' }),
      );
      return;
    }
    res.end('served while draining');
  });
  const { resolve } = mutableResolver(['127.0.0.1']);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(replica?.port ?? 0),
    resolve,
    healthPath: '/readyz',
    healthIntervalMs: 50,
  });
  await until(() => edge.proxy.stats().upstreams[0]?.healthy === false);
  const reply = await send(edge.port);
  assert.equal(reply.status, 503);
  assert.equal(JSON.parse(reply.text).code, 'no_upstream');
});

test('with nothing usable, every address is checked at once before a 503: the rolling-restart race', async (t) => {
  // 127.0.0.1 was down at its last check and is back now; 127.0.0.2 has
  // started draining. The next periodic check is a minute away: only an
  // immediate one finds the returned replica for this request.
  const replicas = await startReplicas(t, 2, (i) =>
    i === 0
      ? (_req, res) => res.end('returned')
      : (req, res) => {
          res.statusCode = req.url === '/readyz' ? 503 : 200;
          res.end(
            req.url === '/readyz'
              ? JSON.stringify({
                  statusCode: 503,
                  code: 'draining',
                  message: 'bye',
                  requestId: 'x',
                })
              : 'draining',
          );
        },
  );
  const [first] = replicas;
  assert.ok(first);
  await first.close();
  const { resolve } = mutableResolver(['127.0.0.1', '127.0.0.2']);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(first.port),
    resolve,
    healthPath: '/readyz',
    healthIntervalMs: 60_000,
  });
  await until(() => edge.proxy.stats().upstreams.every((u) => !u.healthy));
  await startUpstream(t, (_req, res) => res.end('returned'), '127.0.0.1', first.port);

  const reply = await send(edge.port);
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.text, 'returned');
});

test('an outage costs one immediate check round per burst, not one per request', async (t) => {
  const { replicas, edge } = await startCheckedReplicas(t, [false], () => (_req, res) => res.end());
  await until(() => edge.proxy.stats().upstreams[0]?.healthy === false);
  await replicas[0]?.close();
  for (let end = Date.now() + 5000; (await send(edge.port)).status !== 503; ) {
    assert.ok(Date.now() < end, 'no 503 within 5 s');
    await sleep(50);
  }
  const before = edge.proxy.stats().healthCheckFailures;
  const started = performance.now();
  const replies = await Promise.all(Array.from({ length: 50 }, () => send(edge.port)));
  const elapsed = performance.now() - started;
  assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([503]));
  // The 50-ms periodic checks go on too, as many as the burst lasted (more
  // on a loaded machine); the 50 requests must add at most a round or two.
  const added = edge.proxy.stats().healthCheckFailures - before;
  const periodic = Math.ceil(elapsed / 50);
  assert.ok(
    added <= periodic + 3,
    `${added} checks for 50 requests in ${elapsed.toFixed(0)} ms (${periodic} periodic)`,
  );
});
