import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  mutableResolver,
  readBody,
  send,
  sleep,
  startEdge,
  startReplicas,
  until,
  upstreamUrl,
} from './helpers.ts';

test('GETs all succeed while a replica is killed with requests in flight', async (t) => {
  const replicas = await startReplicas(t, 2, (i) => (_req, res) => {
    // The second replica is slow, so it has requests in flight when killed.
    setTimeout(() => res.end(`replica ${i}`), i === 1 ? 100 : 1);
  });
  const { resolve } = mutableResolver(['127.0.0.1', '127.0.0.2']);
  const edge = await startEdge(t, { upstream: upstreamUrl(replicas[0]?.port ?? 0), resolve });

  const replies = Promise.all(
    Array.from({ length: 40 }, async (_, n) => {
      await sleep(n * 5);
      return send(edge.port, { path: `/item/${n}` });
    }),
  );
  // Killed once it holds a request (it answers after 100 ms): not after a
  // fixed delay, which a loaded machine can pass before any request arrived.
  await until(() => (replicas[1]?.seen.length ?? 0) >= 1);
  await replicas[1]?.close();
  const statuses = (await replies).map((r) => r.status);
  assert.deepEqual(new Set(statuses), new Set([200]));
  assert.ok(edge.proxy.stats().retries >= 1, 'no request was retried');
  assert.ok((replicas[1]?.seen.length ?? 0) >= 1, 'the killed replica never got a request');
});

test('a POST whose upstream dies after reading the body gets 502 and is sent only once', async (t) => {
  const replicas = await startReplicas(t, 2, () => async (req) => {
    await readBody(req);
    req.socket.destroy();
  });
  const { resolve } = mutableResolver(['127.0.0.1', '127.0.0.2']);
  const edge = await startEdge(t, { upstream: upstreamUrl(replicas[0]?.port ?? 0), resolve });

  const reply = await send(edge.port, { method: 'POST', path: '/orders', body: '{"n":1}' });
  assert.equal(reply.status, 502);
  const posts = replicas.flatMap((r) => r.seen).filter((line) => line === 'POST /orders');
  assert.equal(posts.length, 1);
  assert.equal(edge.proxy.stats().retries, 0);
});

test('a POST that could not connect is sent to another address and reaches it once', async (t) => {
  // Only 127.0.0.1 listens; 127.0.0.2 refuses every connection.
  const [live] = await startReplicas(t, 1, () => async (req, res) => {
    res.end(`got ${(await readBody(req)).length}`);
  });
  const { resolve } = mutableResolver(['127.0.0.2', '127.0.0.1']);
  const edge = await startEdge(t, { upstream: upstreamUrl(live?.port ?? 0), resolve });

  for (let n = 0; n < 4; n++) {
    const reply = await send(edge.port, { method: 'POST', path: `/orders/${n}`, body: 'abc' });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'got 3');
  }
  assert.equal(live?.seen.length, 4);
  assert.ok(edge.proxy.stats().retries >= 1);
});

test('a GET whose upstream closes before answering is answered by another address', async (t) => {
  const replicas = await startReplicas(t, 2, (i) => (req, res) => {
    if (i === 0) req.socket.destroy();
    else res.end('from the healthy replica');
  });
  const { resolve } = mutableResolver(['127.0.0.1', '127.0.0.2']);
  const edge = await startEdge(t, { upstream: upstreamUrl(replicas[0]?.port ?? 0), resolve });

  for (let n = 0; n < 4; n++) {
    const reply = await send(edge.port, { path: `/page/${n}` });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'from the healthy replica');
  }
  assert.ok((replicas[0]?.seen.length ?? 0) >= 1);
  const log = edge.log.find((line) => line.upstreamAddress?.includes(','));
  assert.ok(log, 'the access log names both addresses of a retried request');
});
