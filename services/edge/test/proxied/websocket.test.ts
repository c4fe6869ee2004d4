import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { type TestContext, test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import {
  proxiedLines,
  readBody,
  send,
  startProxyingEdge,
  startUpstream,
  until,
} from './helpers.ts';

const WEBSOCKET = { connection: 'Upgrade', upgrade: 'websocket' };

/** An upstream that answers 'plain' and counts (and drops) every upgrade that reaches it. */
async function refusingUpstream(t: TestContext) {
  const upstream = await startUpstream(t, (_req, res) => res.end('plain'));
  let upgrades = 0;
  upstream.server.on('upgrade', (_req, socket) => {
    upgrades++;
    socket.destroy();
  });
  return { upstream, upgrades: () => upgrades };
}

test('a WebSocket passes through the whole edge and echoes both ways', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ noServer: true });
  const forwardedFor: unknown[] = [];
  upstream.server.on('upgrade', (req, socket, head) => {
    forwardedFor.push(req.headers['x-forwarded-for']);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, binary) => ws.send(binary ? data : `echo: ${data}`));
    });
  });
  t.after(() => wss.close());
  const { port, lines } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`);

  const ws = new WebSocket(`ws://127.0.0.1:${port}/live`, {
    headers: { 'x-request-id': 'websocket-edge-01', 'x-forwarded-for': '203.0.113.7' },
  });
  t.after(() => ws.terminate());
  const upgraded = once(ws, 'upgrade');
  // Created now: 'open' follows 'upgrade' in the same tick.
  const opened = once(ws, 'open');
  const [response] = (await upgraded) as [IncomingMessage];
  assert.equal(response.headers['x-request-id'], 'websocket-edge-01');
  await opened;
  ws.send('hello');
  assert.equal(String((await once(ws, 'message'))[0]), 'echo: hello');
  const big = Buffer.alloc(300_000, 7);
  ws.send(big);
  assert.ok(Buffer.from((await once(ws, 'message'))[0] as Buffer).equals(big));
  assert.deepEqual(forwardedFor, ['127.0.0.1']);
  ws.close();
  await once(ws, 'close');
  await until(() => proxiedLines(lines).some((line) => line.reqId === 'websocket-edge-01'));
  const line = proxiedLines(lines).find((l) => l.reqId === 'websocket-edge-01');
  assert.equal(line?.status, 101);
  assert.equal(line?.upstream, `127.0.0.1:${upstream.port}`);
});

test('an upgrade on the edge’s own prefixes is an ordinary request there, never proxied', async (t) => {
  const { upstream, upgrades } = await refusingUpstream(t);
  const { port } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`);
  for (const [path, status] of [
    ['/_edge/healthz', 200],
    ['/static/x', 404],
  ] as const) {
    const reply = await send(port, { path, headers: WEBSOCKET });
    assert.equal(reply.status, status, path);
    assert.equal(reply.headers.connection, 'close', path);
  }
  assert.equal(upgrades(), 0);
  assert.deepEqual(upstream.seen, []);
});

test('a POST carrying Upgrade is proxied and logged as a POST, then the connection closes', async (t) => {
  const seen: string[] = [];
  const upstream = await startUpstream(t, async (req, res) => {
    seen.push(`${req.method} ${String(await readBody(req))} ${req.headers.upgrade}`);
    res.end('stored');
  });
  const { port, lines } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`);
  const reply = await send(port, {
    method: 'POST',
    path: '/items',
    headers: { ...WEBSOCKET, 'x-request-id': 'post-upgrade-01' },
    body: 'hello',
  });
  assert.equal(reply.status, 200);
  // Node reads nothing more on a connection after an upgrade request it declined.
  assert.equal(reply.headers.connection, 'close');
  assert.deepEqual(seen, ['POST hello undefined']);
  await until(() => proxiedLines(lines).some((line) => line.reqId === 'post-upgrade-01'));
  const line = proxiedLines(lines).find((l) => l.reqId === 'post-upgrade-01');
  assert.equal(line?.method, 'POST');
});

test('an upgrade while the edge shuts down is a 503 JSON answer, counted as a proxied 5xx', async (t) => {
  const { upstream, upgrades } = await refusingUpstream(t);
  const { edge, port } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`);
  // The drain is over: what edge.ts sets before it closes the listeners.
  edge.lifecycle.closing = true;
  const before = edge.proxy.stats().responsesByClass[5];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live`);
  const [, response] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
  assert.equal(response.statusCode, 503);
  assert.equal(response.headers.connection, 'close');
  const body = JSON.parse((await readBody(response)).toString()) as { code: string };
  assert.equal(typeof body.code, 'string');
  assert.equal(edge.proxy.stats().responsesByClass[5], (before ?? 0) + 1);
  assert.equal(upgrades(), 0, 'the upstream saw nothing');
});
