import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  mutableResolver,
  send,
  sleep,
  startEdge,
  startReplicas,
  startUpstream,
  until,
  upstreamUrl,
} from './helpers.ts';

test('addresses added to the name get traffic, and removed ones stop getting it', async (t) => {
  const replicas = await startReplicas(t, 3, (i) => (_req, res) => res.end(String(i)));
  const resolver = mutableResolver(['127.0.0.1']);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(replicas[0]?.port ?? 0),
    resolve: resolver.resolve,
    resolveIntervalMs: 50,
  });
  const answers = async (n: number) => {
    const texts: string[] = [];
    for (let i = 0; i < n; i++) texts.push((await send(edge.port)).text);
    return texts;
  };
  assert.deepEqual(new Set(await answers(4)), new Set(['0']));

  resolver.state.addresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
  await until(() => edge.proxy.stats().upstreams.length === 3);
  const spread = await answers(9);
  // Round-robin: each of the three answers a third.
  for (const replica of ['0', '1', '2']) {
    assert.equal(spread.filter((text) => text === replica).length, 3, spread.join(','));
  }

  resolver.state.addresses = ['127.0.0.3'];
  await until(() => edge.proxy.stats().upstreams.length === 1);
  assert.deepEqual(new Set(await answers(4)), new Set(['2']));
});

test('a request in flight on a removed address finishes there', async (t) => {
  const slow = await startUpstream(t, (_req, res) => {
    setTimeout(() => res.end('finished'), 300);
  });
  const resolver = mutableResolver(['127.0.0.1']);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(slow.port),
    resolve: resolver.resolve,
    resolveIntervalMs: 30,
  });
  const inFlight = send(edge.port);
  await sleep(50);
  resolver.state.addresses = [];
  await until(() => edge.proxy.stats().upstreams.length === 0);
  const reply = await inFlight;
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'finished');
  assert.equal((await send(edge.port)).status, 503);
});

test('a connection failure makes the name resolve again at once', async (t) => {
  const live = await startUpstream(t, (_req, res) => res.end('ok'));
  const resolver = mutableResolver(['127.0.0.2']);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(live.port),
    resolve: resolver.resolve,
    // Far beyond the test: only a failure can trigger the second resolution.
    resolveIntervalMs: 600_000,
  });
  assert.equal(resolver.state.calls, 1);
  resolver.state.addresses = ['127.0.0.1'];
  const first = await send(edge.port);
  assert.equal(first.status, 502);
  await until(() => resolver.state.calls === 2);
  await until(() => edge.proxy.stats().upstreams[0]?.address.startsWith('127.0.0.1') === true);
  assert.equal((await send(edge.port)).text, 'ok');
});

test('requests that arrive before the first resolution wait for it', async (t) => {
  const live = await startUpstream(t, (_req, res) => res.end('ok'));
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const edge = await startEdge(
    t,
    {
      upstream: upstreamUrl(live.port),
      resolve: async () => {
        await gate;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    },
    { awaitReady: false },
  );
  const early = send(edge.port);
  await sleep(100);
  release();
  const reply = await early;
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'ok');
});

// Right after a deploy the replicas enter DNS once healthy; the next
// periodic re-resolve is a minute away: only an immediate one finds them.
for (const [checks, health] of [
  ['on', { healthPath: '/readyz', healthIntervalMs: 60_000 }],
  ['off', { healthPath: '' }],
] as const) {
  test(`with no address yet, the name is resolved again before a 503 (health checks ${checks}): the deploy race`, async (t) => {
    const replica = await startUpstream(t, (_req, res) => res.end('deployed'));
    const resolver = mutableResolver([]);
    const edge = await startEdge(t, {
      upstream: upstreamUrl(replica.port),
      resolve: resolver.resolve,
      resolveIntervalMs: 60_000,
      ...health,
    });
    await until(() => edge.proxy.stats().upstreams.length === 0);
    resolver.state.addresses = ['127.0.0.1'];
    const reply = await send(edge.port);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.text, 'deployed');
  });
}

test('an address a later resolution adds gets no request before its check passes', async (t) => {
  // Replica 1 comes up as a scaled-out replica does: listening, slow to say it is ready.
  let ready = false;
  const replicas = await startReplicas(t, 2, (i) => (req, res) => {
    if (req.url !== '/readyz') return void res.end(String(i));
    if (i === 0) return void res.end();
    setTimeout(() => {
      res.statusCode = ready ? 200 : 503;
      res.end();
    }, 200);
  });
  const resolver = mutableResolver(['127.0.0.1']);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(replicas[0]?.port ?? 0),
    resolve: resolver.resolve,
    resolveIntervalMs: 30,
    healthPath: '/readyz',
    healthIntervalMs: 50,
  });
  resolver.state.addresses = ['127.0.0.1', '127.0.0.2'];
  await until(() => edge.proxy.stats().upstreams.length === 2);
  const early: string[] = [];
  for (let i = 0; i < 10; i++) early.push((await send(edge.port)).text);
  assert.deepEqual(new Set(early), new Set(['0']), 'the unchecked address served none');

  ready = true;
  await until(async () => (await send(edge.port)).text === '1');
});
