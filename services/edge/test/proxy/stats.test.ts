import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeProxyStats, proxyStatsToPrometheus } from '../../src/proxy/index.ts';
import { send, startEdge, startUpstream, upstreamUrl } from './helpers.ts';

test('the counters of two workers add up to what both served', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    res.statusCode = req.url === '/missing' ? 404 : req.url === '/broken' ? 500 : 200;
    res.end();
  });
  const options = { upstream: upstreamUrl(upstream.port, '127.0.0.1') };
  const [a, b] = [await startEdge(t, options), await startEdge(t, options)];
  for (const path of ['/', '/', '/missing']) await send(a.port, { path });
  for (const path of ['/', '/broken']) await send(b.port, { path });

  const merged = mergeProxyStats([a.proxy.stats(), b.proxy.stats()]);
  assert.deepEqual(merged.responsesByClass, [0, 0, 3, 0, 1, 1]);
  assert.equal(merged.upstreamLatency.count, 5);
  assert.equal(
    merged.upstreamLatency.counts.reduce((sum, n) => sum + n, 0),
    5,
  );
  assert.ok(merged.upstreamLatency.sumS > 0);
  // Each worker keeps its keep-alive connection open.
  assert.equal(merged.openUpstreamConnections, 2);
  assert.equal(merged.upstreams.length, 2);

  const text = proxyStatsToPrometheus(merged);
  assert.match(text, /^edge_proxy_responses_total\{class="2xx"\} 3$/m);
  assert.match(text, /^edge_proxy_responses_total\{class="5xx"\} 1$/m);
  assert.match(text, /^edge_upstream_duration_seconds_bucket\{le="\+Inf"\} 5$/m);
  assert.match(text, /^edge_upstream_duration_seconds_count 5$/m);
  assert.match(text, /^edge_upstream_connections 2$/m);
});

test('the access log gets the upstream address, status and time', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => setTimeout(() => res.end('ok'), 30));
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  await send(edge.port);
  const [line] = edge.log;
  assert.equal(line?.upstreamAddress, `127.0.0.1:${upstream.port}`);
  assert.equal(line?.upstreamStatus, 200);
  assert.ok((line?.upstreamMs ?? 0) >= 25, `upstreamMs ${line?.upstreamMs}`);
});
