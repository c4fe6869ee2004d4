import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { startEdge, startUpstream, upstreamUrl } from './helpers.ts';

test('a WebSocket connection passes through and echoes both ways', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ noServer: true });
  const seenHeaders: Record<string, unknown>[] = [];
  upstream.server.on('upgrade', (req, socket, head) => {
    seenHeaders.push(req.headers);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, binary) => ws.send(binary ? data : `echo: ${data}`));
    });
  });
  t.after(() => wss.close());
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });

  const ws = new WebSocket(`ws://127.0.0.1:${edge.port}/socket`, {
    headers: { 'x-request-id': 'websocket-0001' },
  });
  t.after(() => ws.terminate());
  const upgraded = once(ws, 'upgrade');
  const opened = once(ws, 'open');
  const [response] = (await upgraded) as [import('node:http').IncomingMessage];
  assert.equal(response.headers['x-request-id'], 'websocket-0001');
  await opened;
  ws.send('hello');
  const [first] = await once(ws, 'message');
  assert.equal(String(first), 'echo: hello');
  const big = Buffer.alloc(200_000, 9);
  ws.send(big);
  const [second] = (await once(ws, 'message')) as [Buffer];
  assert.ok(Buffer.from(second).equals(big));
  assert.equal(seenHeaders[0]?.['x-forwarded-for'], '127.0.0.1');
  ws.close();
  await once(ws, 'close');
});

test('an upgrade the upstream refuses is relayed as its plain response', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('no sockets here');
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const ws = new WebSocket(`ws://127.0.0.1:${edge.port}/socket`);
  ws.on('error', () => {});
  const [, response] = (await once(ws, 'unexpected-response')) as [
    unknown,
    import('node:http').IncomingMessage,
  ];
  assert.equal(response.statusCode, 403);
  response.resume();
});
