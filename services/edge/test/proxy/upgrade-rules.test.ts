/**
 * The upgrade path keeps the ordinary path's rules (the rate limit:
 * rate-limit.test.ts): a request carrying `Upgrade` is paced by the client, sent with its own method,
 * answered with the same response-header rules, and an open tunnel does not
 * outlive its idle timeout.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { proxyStatsToPrometheus } from '../../src/proxy/stats.ts';
import { readBody, send, sleep, startEdge, startUpstream, until, upstreamUrl } from './helpers.ts';

const WEBSOCKET = { connection: 'Upgrade', upgrade: 'websocket' };

test('a refused upgrade answered with a large body is paced by the client', async (t) => {
  const TOTAL = 64 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 1);
  let written = 0;
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-length': TOTAL });
    const pump = () => {
      while (written < TOTAL) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  // A client that asks and never reads.
  const client = connect(edge.port, '127.0.0.1');
  client.pause();
  client.write(
    'GET /big HTTP/1.1\r\nhost: edge.test\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n',
  );
  await until(() => written > 0);
  await sleep(1500);
  // Socket buffers on loopback hold a few MiB; unpaced, all 64 MiB pass in well under a second.
  const sent = written;
  // Before the harness closes: the edge aborts the upstream response once the client is gone.
  client.destroy();
  assert.ok(sent < TOTAL / 2, `the upstream wrote ${sent} bytes to a client that reads none`);
});

test('a refused upgrade closes even if the client never does', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('ok'));
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    lingerIdleMs: 200,
  });
  // Half-open allowed: this client keeps its side open after the edge's FIN.
  const client = connect({ port: edge.port, host: '127.0.0.1', allowHalfOpen: true });
  let text = '';
  client.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  let closed = false;
  client.on('error', () => {});
  client.on('close', () => {
    closed = true;
  });
  client.write(
    'GET /live HTTP/1.1\r\nhost: a b\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n',
  );
  await once(client, 'end');
  assert.match(text, /^HTTP\/1\.1 400 /);
  // Past the linger's idle time the edge's side is gone: a late write is
  // answered with a reset, and the next one fails (EPIPE).
  await sleep(600);
  client.write('still here');
  await sleep(100);
  client.write('and here');
  await until(() => closed, 2000).catch(() => {});
  client.destroy();
  assert.equal(closed, true, 'the edge closed its side of the socket');
});

/** An echo-less WebSocket upstream whose sockets the test can drive. */
async function tunnelUpstream(
  t: import('node:test').TestContext,
  onSocket: (ws: WebSocket) => void,
) {
  const upstream = await startUpstream(t, (_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers) => {
    headers.push('Server: upstream/9.9', 'X-Request-Id: upstream-chosen-id', 'X-App: kept');
  });
  upstream.server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, onSocket);
  });
  t.after(() => wss.close());
  return upstream;
}

function open(t: import('node:test').TestContext, port: number): WebSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live`, {
    headers: { 'x-request-id': 'tunnel-test-0001' },
  });
  ws.on('error', () => {});
  t.after(() => ws.terminate());
  return ws;
}

test('a tunnel with no byte either way closes after the idle timeout, and is counted', async (t) => {
  const upstream = await tunnelUpstream(t, () => {});
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    tunnelIdleMs: 300,
  });
  const ws = open(t, edge.port);
  await once(ws, 'open');
  const started = Date.now();
  await once(ws, 'close');
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 2000, `closed after ${took} ms`);
  assert.equal(edge.proxy.stats().tunnelIdleCloses, 1);
  // And what a scrape of /_edge/metrics shows.
  assert.match(proxyStatsToPrometheus(edge.proxy.stats()), /^edge_tunnel_idle_closes_total 1$/m);
});

test('bytes in either direction alone keep a tunnel open', async (t) => {
  let upstreamSide: WebSocket | undefined;
  const upstream = await tunnelUpstream(t, (ws) => {
    upstreamSide = ws;
  });
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    // Ten times the gap between messages: a loaded CI machine stretched a
    // 100 ms sleep past a 300 ms window once.
    tunnelIdleMs: 1000,
  });
  const ws = open(t, edge.port);
  let closed = false;
  ws.on('close', () => {
    closed = true;
  });
  await once(ws, 'open');
  await until(() => upstreamSide !== undefined);
  // 1.2 s of the client talking to a silent upstream, then 1.2 s the other way.
  for (let i = 0; i < 12; i++) {
    ws.send('from the client');
    await sleep(100);
  }
  for (let i = 0; i < 12; i++) {
    upstreamSide?.send('from the upstream');
    await sleep(100);
  }
  assert.equal(closed, false, 'the tunnel is still open');
  assert.equal(edge.proxy.stats().tunnelIdleCloses, 0);
  await once(ws, 'close');
  assert.equal(edge.proxy.stats().tunnelIdleCloses, 1);
});

test('the 101 follows the ordinary response-header rules', async (t) => {
  const upstream = await tunnelUpstream(t, () => {});
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const ws = open(t, edge.port);
  // Both listening now: 'open' follows 'upgrade' in the same tick.
  const opened = once(ws, 'open');
  const [response] = (await once(ws, 'upgrade')) as [IncomingMessage];
  const raw = response.rawHeaders.map((v, i) => (i % 2 === 0 ? v.toLowerCase() : v));
  const values = (name: string) => raw.filter((_, i) => i % 2 === 1 && raw[i - 1] === name);
  assert.deepEqual(values('x-request-id'), ['tunnel-test-0001']);
  assert.deepEqual(values('server'), ['edge'], 'the upstream’s Server is replaced');
  assert.deepEqual(values('x-app'), ['kept']);
  assert.deepEqual(values('upgrade'), ['websocket']);
  assert.equal(values('sec-websocket-accept').length, 1);
  await opened;
  ws.close();
  await once(ws, 'close');
});

/** An upstream that records each request's method, body and headers, and counts upgrades it was asked for. */
async function recordingUpstream(t: import('node:test').TestContext) {
  const seen: Array<{ method?: string; body: string; headers: IncomingMessage['headers'] }> = [];
  const state = { seen, upgrades: 0 };
  const upstream = await startUpstream(t, async (req, res) => {
    seen.push({ method: req.method, body: String(await readBody(req)), headers: req.headers });
    res.end('ok');
  });
  upstream.server.on('upgrade', (_req, socket) => {
    state.upgrades++;
    socket.destroy();
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  return { state, edge };
}

test('a POST carrying Upgrade is proxied as a POST, its body and method intact', async (t) => {
  const { state, edge } = await recordingUpstream(t);
  const reply = await send(edge.port, {
    method: 'POST',
    path: '/items',
    headers: { ...WEBSOCKET, 'content-type': 'text/plain' },
    body: 'hello',
  });
  assert.equal(reply.status, 200);
  assert.equal(state.upgrades, 0);
  assert.equal(state.seen.length, 1);
  const [seen] = state.seen;
  assert.equal(seen?.method, 'POST');
  assert.equal(seen?.body, 'hello');
  assert.equal(seen?.headers.upgrade, undefined);
  assert.equal(seen?.headers.connection, 'keep-alive');
});
