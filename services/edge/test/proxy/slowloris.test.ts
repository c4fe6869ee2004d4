/**
 * Slow clients are the server's business (its headersTimeout, requestTimeout
 * and keepAliveTimeout; see the proxy README), not the proxy's: this proves
 * the settings the README asks the skeleton for, with the proxy behind them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { send, sleep, slowClient, startEdge, startUpstream, upstreamUrl } from './helpers.ts';

test('slowloris clients are cut off by the server’s header timeout while others are served', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('served'));
  const edge = await startEdge(
    t,
    { upstream: upstreamUrl(upstream.port, '127.0.0.1') },
    {
      serverOptions: {
        headersTimeout: 500,
        requestTimeout: 1000,
        keepAliveTimeout: 500,
        // How often Node looks for expired requests (30 s by default).
        connectionsCheckingInterval: 100,
      },
    },
  );

  const slow = Array.from({ length: 20 }, () =>
    slowClient(t, edge.port, 'GET / HTTP/1.1\r\nHost: slow.test\r\n'),
  );

  await sleep(200);
  const served = await send(edge.port);
  assert.equal(served.status, 200);
  assert.equal(served.text, 'served');

  const started = Date.now();
  await Promise.all(slow);
  assert.ok(Date.now() - started < 3000, 'slow clients were not cut off');
  assert.equal(upstream.seen.length, 1);
});
