/** `/_edge/metrics` only for the peers EDGE_METRICS_ALLOW names; the TCP peer decides. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, makeStaticRoot, startEdge, testConfig } from './helpers.ts';

test('the default list (loopback, uniquelocal) lets a loopback scrape in', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port } = await startEdge(t, testConfig(root));
  const reply = await get(port, '/_edge/metrics');
  assert.equal(reply.status, 200);
  assert.match(String(reply.body), /^# HELP edge_/m);
});

test('a peer outside the list gets 403 in the shared shape, whatever X-Forwarded-For says', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port } = await startEdge(
    t,
    testConfig(root, { metricsAllow: ['10.0.0.0/8'], trustedProxies: ['127.0.0.1'] }),
  );
  const reply = await get(port, '/_edge/metrics', { 'x-forwarded-for': '10.1.2.3' });
  assert.equal(reply.status, 403);
  const body = JSON.parse(String(reply.body));
  assert.equal(body.code, 'forbidden');
  assert.doesNotMatch(String(reply.body), /edge_upstream/);
  assert.equal(reply.headers['cache-control'], 'no-store');
  // Health stays public: the orchestrator's probe is not a scrape.
  assert.equal((await get(port, '/_edge/healthz')).status, 200);
});
