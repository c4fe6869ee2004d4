import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mutableResolver, send, sleep, startEdge, startUpstream, upstreamUrl } from './helpers.ts';

test('an address that refuses is ejected, then tried again after its back-off', async (t) => {
  const live = await startUpstream(t, (_req, res) => res.end('one'));
  const { resolve } = mutableResolver(['127.0.0.1', '127.0.0.2']);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(live.port),
    resolve,
    upstreamEjectMs: 400,
    resolveIntervalMs: 0,
  });

  // 127.0.0.2 refuses: the first request that meets it ejects it.
  for (let n = 0; n < 6; n++) assert.equal((await send(edge.port)).status, 200);
  const stats = edge.proxy.stats();
  assert.equal(stats.ejections, 1);
  assert.equal(stats.upstreams.find((u) => u.address.startsWith('127.0.0.2'))?.ejected, true);
  // While ejected it gets no attempts, so nothing needs retrying.
  const retriesWhileEjected = stats.retries;
  for (let n = 0; n < 4; n++) await send(edge.port);
  assert.equal(edge.proxy.stats().retries, retriesWhileEjected);

  // The replica comes back; after the back-off it is in the rotation again.
  const back = await startUpstream(t, (_req, res) => res.end('two'), '127.0.0.2', live.port);
  await sleep(500);
  const texts = [];
  for (let n = 0; n < 4; n++) texts.push((await send(edge.port)).text);
  assert.ok(texts.includes('two'), `answers: ${texts.join(',')}`);
  assert.ok(back.seen.length >= 1);
  assert.equal(
    edge.proxy.stats().upstreams.every((u) => !u.ejected),
    true,
  );
});

test('every address ejected: the next request still tries one instead of refusing', async (t) => {
  const { resolve } = mutableResolver(['127.0.0.2']);
  const live = await startUpstream(t, (_req, res) => res.end('late'), '127.0.0.2');
  const port = live.port;
  await live.close();
  const edge = await startEdge(t, {
    upstream: upstreamUrl(port),
    resolve,
    upstreamEjectMs: 60_000,
    resolveIntervalMs: 0,
  });
  assert.equal((await send(edge.port)).status, 502);
  await startUpstream(t, (_req, res) => res.end('late'), '127.0.0.2', port);
  const reply = await send(edge.port);
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'late');
});
