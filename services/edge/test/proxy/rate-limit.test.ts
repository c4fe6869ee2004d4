import assert from 'node:assert/strict';
import { test } from 'node:test';
import { send, startEdge, startUpstream, upstreamUrl } from './helpers.ts';

// An `Upgrade` header changes nothing: the upgrade path takes from the same bucket.
for (const [kind, headers] of [
  ['plain GETs', {}],
  ['GETs carrying Upgrade', { connection: 'Upgrade', upgrade: 'websocket' }],
] as const) {
  test(`${kind} over the rate get 429 with Retry-After, in the shared error shape`, async (t) => {
    // Without an upgrade handler the upstream answers a handshake with a 200.
    const upstream = await startUpstream(t, (_req, res) => res.end('ok'));
    const edge = await startEdge(t, {
      upstream: upstreamUrl(upstream.port, '127.0.0.1'),
      rateLimitPerSecond: 1,
      rateLimitBurst: 3,
    });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof send>> | undefined;
    for (let n = 0; n < 5; n++) {
      const reply = await send(edge.port, { headers });
      statuses.push(reply.status);
      if (reply.status === 429) limited = reply;
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(limited);
    assert.equal(limited.headers['retry-after'], '1');
    assert.equal(JSON.parse(limited.text).code, 'rate_limited');
    assert.equal((await send(edge.port)).status, 429, 'a plain GET finds the same bucket');
    assert.equal(upstream.seen.length, 3);
    assert.equal(edge.proxy.stats().rateLimited, 3);
  });
}

test('the rate limit is off by default', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('ok'));
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const replies = await Promise.all(Array.from({ length: 50 }, () => send(edge.port)));
  assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
});
