/**
 * The edge's own server settings (edge.ts: headersTimeout, requestTimeout,
 * connectionsCheckingInterval) against slow clients, with the proxy behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { send, sleep, slowClient, startProxyingEdge, startUpstream } from './helpers.ts';

test('slowloris clients are cut by EDGE_HEADERS_TIMEOUT_MS while others are served', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('served'));
  const { port, lines } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`, {
    headersTimeoutMs: 500,
    requestTimeoutMs: 1000,
  });

  const answers: string[] = [];
  const slow = Array.from({ length: 20 }, () =>
    slowClient(t, port, 'GET /api/items HTTP/1.1\r\nHost: slow.test\r\n', (chunk) =>
      answers.push(chunk.toString()),
    ),
  );

  await sleep(200);
  const served = await send(port, { path: '/api/items' });
  assert.equal(served.status, 200);
  assert.equal(served.text, 'served');

  const started = Date.now();
  await Promise.all(slow);
  // Node's default headersTimeout is 60 s, checked every 30 s: this would hang.
  assert.ok(Date.now() - started < 3000, 'slow clients were cut off');
  assert.equal(upstream.seen.length, 1, 'no slow request reached the upstream');
  assert.ok(
    answers.some((text) => text.startsWith('HTTP/1.1 408 ')),
    'they were told 408 before the close',
  );
  assert.equal(lines.filter((line) => line.path === '/api/items').length, 1);
});
