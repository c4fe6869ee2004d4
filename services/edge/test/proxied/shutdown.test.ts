import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { get, makeStaticRoot, startMain } from '../helpers.ts';
import { send, sleep, startUpstream, until } from './helpers.ts';

test('SIGTERM with a proxied request in flight: it completes, then the edge exits 0', async (t) => {
  const held: ServerResponse[] = [];
  const upstream = await startUpstream(t, (req, res) => {
    if (req.url === '/slow') held.push(res);
    else res.end('quick');
  });
  const { root } = await makeStaticRoot(t);
  const { child, port } = await startMain(t, {
    EDGE_STATIC_ROOT: root,
    EDGE_UPSTREAM: `http://127.0.0.1:${upstream.port}`,
    EDGE_DRAIN_MS: '500',
    EDGE_SHUTDOWN_GRACE_MS: '10000',
  });

  const slow = send(port, { path: '/slow' });
  await until(() => held.length === 1);
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  while ((await get(port, '/_edge/healthz')).status !== 503) await sleep(10);
  const during = await send(port, { path: '/quick' });
  assert.equal(during.text, 'quick', 'still proxying during the drain');

  // Past the drain the worker has stopped accepting; the upstream answers only now.
  await sleep(800);
  assert.equal(child.exitCode, null, 'the edge waits for the request in flight');
  const res = held[0] as ServerResponse;
  res.write('first half, ');
  await sleep(100);
  res.end('second half');
  const reply = await slow;
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'first half, second half');
  assert.deepEqual(await exited, [0, null]);
});

test('SIGTERM with a WebSocket open: the tunnel is closed when the drain ends, the edge exits 0', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ noServer: true });
  upstream.server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, () => {}),
  );
  t.after(() => wss.close());
  const { root } = await makeStaticRoot(t);
  const { child, port, lines } = await startMain(t, {
    EDGE_STATIC_ROOT: root,
    EDGE_UPSTREAM: `http://127.0.0.1:${upstream.port}`,
    EDGE_DRAIN_MS: '300',
    // Longer than the test waits: only closing the tunnel lets the worker exit in time.
    EDGE_SHUTDOWN_GRACE_MS: '20000',
  });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live`);
  ws.on('error', () => {});
  t.after(() => ws.terminate());
  await once(ws, 'open');
  const closed = once(ws, 'close');
  const exited = once(child, 'exit');
  const started = Date.now();
  child.kill('SIGTERM');
  await closed;
  assert.deepEqual(await exited, [0, null]);
  assert.ok(Date.now() - started < 10_000, `exited after ${Date.now() - started} ms`);
  assert.ok(
    lines.some((line) => line.msg === 'closed the open WebSocket tunnels' && line.tunnels === 1),
  );
});
