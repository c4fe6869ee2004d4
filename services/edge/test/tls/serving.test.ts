/**
 * The HTTPS port serves what the plain port serves, over h2 and HTTP/1.1
 * (ALPN) on the same port: the static fast path and the proxy, with the
 * h2-to-HTTP/1.1 translation the upstream needs and none of HTTP/1.1's
 * connection-specific fields on an h2 response.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from 'node:tls';
import WebSocket, { WebSocketServer } from 'ws';
import { CSS_TEXT, get, TABLE_CSS } from '../helpers.ts';
import { readBody, startUpstream, until } from '../proxy/helpers.ts';
import { h1Get, h2Get, h2Session, readRoot, startTlsEdge } from './helpers.ts';

async function tlsDir(t: import('node:test').TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('h2 and HTTP/1.1 on one port: a static file and a proxied request each', async (t) => {
  const seen: { headers: IncomingMessage['headers']; body: string; version: string }[] = [];
  const upstream = await startUpstream(t, async (req, res) => {
    seen.push({
      headers: req.headers,
      body: (await readBody(req)).toString(),
      version: req.httpVersion,
    });
    // Connection-specific fields an HTTP/1.1 upstream may well send.
    res.writeHead(200, {
      'content-type': 'text/plain',
      connection: 'keep-alive, x-hop',
      'keep-alive': 'timeout=5',
      'x-hop': 'listed in Connection',
      'proxy-connection': 'keep-alive',
      upgrade: 'h2c',
    });
    res.write('from ');
    res.end('the app');
  });
  const dir = await tlsDir(t);
  const edge = await startTlsEdge(t, {
    EDGE_TLS_DIR: dir,
    EDGE_UPSTREAM: `http://127.0.0.1:${upstream.port}`,
    EDGE_HSTS_MAX_AGE_S: '600',
  });
  const ca = await readRoot(dir);

  const session = await h2Session(t, edge.tlsPort, ca);
  assert.equal(session.alpnProtocol, 'h2');
  const css = await h2Get(session, `/static/${TABLE_CSS}`);
  assert.equal(css.status, 200);
  assert.equal(css.body.toString(), CSS_TEXT);
  assert.equal(css.headers['strict-transport-security'], 'max-age=600');

  const proxied = await h2Get(
    session,
    '/hello?x=1',
    { 'x-request-id': 'tls-h2-proxied-01' },
    'a body',
  );
  assert.equal(proxied.status, 200);
  assert.equal(proxied.body.toString(), 'from the app');
  assert.equal(proxied.headers['x-request-id'], 'tls-h2-proxied-01');
  for (const name of [
    'connection',
    'keep-alive',
    'transfer-encoding',
    'upgrade',
    'proxy-connection',
    'x-hop',
  ]) {
    assert.equal(proxied.headers[name], undefined, `${name} on an h2 response`);
  }
  const [first] = seen;
  assert.ok(first);
  assert.equal(first.version, '1.1');
  assert.equal(first.body, 'a body', 'the h2 request body streamed to the upstream');
  assert.equal(first.headers.host, `localhost:${edge.tlsPort}`, ':authority becomes Host');
  assert.equal(first.headers['x-forwarded-proto'], 'https');
  assert.equal(first.headers['x-forwarded-host'], `localhost:${edge.tlsPort}`);
  assert.ok(
    !Object.keys(first.headers).some((name) => name.startsWith(':')),
    'no pseudo-header forwarded',
  );

  const h1 = await h1Get(edge.tlsPort, `/static/${TABLE_CSS}`, ca);
  assert.equal(h1.alpn, 'http/1.1');
  assert.equal(h1.status, 200);
  assert.equal(h1.body.toString(), CSS_TEXT);
  const h1Proxied = await h1Get(edge.tlsPort, '/over-h1', ca);
  assert.equal(h1Proxied.status, 200);
  assert.equal(h1Proxied.body.toString(), 'from the app');
  assert.equal(seen[1]?.headers['x-forwarded-proto'], 'https');

  // The plain port is unchanged: no HSTS there (RFC 6797 §7.2), and http to the app.
  const plain = await get(edge.port, `/static/${TABLE_CSS}`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['strict-transport-security'], undefined);
  await get(edge.port, '/over-plain');
  assert.equal(seen[2]?.headers['x-forwarded-proto'], 'http');

  // The edge's own routes over h2 too (Fastify's handler), and the metrics count protocols.
  const health = await h2Get(session, '/_edge/healthz');
  assert.equal(health.status, 200);
  const metrics = (await h2Get(session, '/_edge/metrics')).body.toString();
  assert.match(metrics, /edge_https_requests_total\{protocol="h2",tls="TLSv1.3"\} [1-9]/);
  assert.match(metrics, /edge_https_requests_total\{protocol="h1",tls="TLSv1.3"\} [1-9]/);

  // Access-log lines name the protocol and TLS version on the HTTPS port only.
  await until(() => edge.lines.filter((line) => line.proto !== undefined).length >= 6);
  const byId = edge.lines.find((line) => line.reqId === 'tls-h2-proxied-01');
  assert.equal(byId?.proto, 'h2');
  assert.equal(byId?.tls, 'TLSv1.3');
  assert.equal(byId?.upstreamStatus, 200);
  assert.ok(Number(byId?.bytes) > 0);
  assert.ok(edge.lines.some((line) => line.proto === 'h2' && line.path === '/_edge/healthz'));
  assert.ok(edge.lines.some((line) => line.proto === 'h1' && line.path === `/static/${TABLE_CSS}`));
  const plainLine = edge.lines.find((line) => line.path === '/over-plain');
  assert.ok(plainLine && !('proto' in plainLine));
});

test('TLS 1.0 and 1.1 are refused and counted; TLS 1.2 is accepted', async (t) => {
  const dir = await tlsDir(t);
  const edge = await startTlsEdge(t, { EDGE_TLS_DIR: dir });
  const ca = await readRoot(dir);
  const handshake = (maxVersion: 'TLSv1.1' | 'TLSv1.2', minVersion: 'TLSv1' | 'TLSv1.2') =>
    new Promise<string>((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: edge.tlsPort,
        ca,
        servername: 'localhost',
        minVersion,
        maxVersion,
      });
      socket.once('secureConnect', () => {
        resolve(socket.getProtocol() ?? '');
        socket.end();
      });
      socket.once('error', reject);
    });
  await assert.rejects(handshake('TLSv1.1', 'TLSv1'));
  assert.equal(await handshake('TLSv1.2', 'TLSv1.2'), 'TLSv1.2');
  const metrics = (await get(edge.port, '/_edge/metrics')).body.toString();
  assert.match(metrics, /edge_tls_handshake_failures_total [1-9]/);
});

test('EDGE_HTTP_REDIRECT: 308 to https on the public port, the health check exempt', async (t) => {
  const dir = await tlsDir(t);
  const edge = await startTlsEdge(t, {
    EDGE_TLS_DIR: dir,
    EDGE_HTTP_REDIRECT: 'true',
    EDGE_TLS_PUBLIC_PORT: '443',
  });
  const page = await get(edge.port, '/some/page?q=1', { host: 'example.test:8080' });
  assert.equal(page.status, 308);
  assert.equal(page.headers.location, 'https://example.test/some/page?q=1');
  assert.equal(page.headers['strict-transport-security'], undefined);
  const post = await get(edge.port, '/form', { host: '[::1]:8080' }, 'POST');
  assert.equal(post.status, 308);
  assert.equal(post.headers.location, 'https://[::1]/form');
  const health = await get(edge.port, '/_edge/healthz');
  assert.equal(health.status, 200);
  // HSTS stays off by default.
  const ca = await readRoot(dir);
  const overTls = await h1Get(edge.tlsPort, '/_edge/healthz', ca);
  assert.equal(overTls.status, 200);
  assert.equal(overTls.headers['strict-transport-security'], undefined);
});

test('a WebSocket works over HTTP/1.1 on the TLS port', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ noServer: true });
  const protos: unknown[] = [];
  upstream.server.on('upgrade', (req, socket, head) => {
    protos.push(req.headers['x-forwarded-proto']);
    wss.handleUpgrade(req, socket, head, (ws) =>
      ws.on('message', (data) => ws.send(`echo: ${data}`)),
    );
  });
  t.after(() => wss.close());
  const dir = await tlsDir(t);
  const edge = await startTlsEdge(t, {
    EDGE_TLS_DIR: dir,
    EDGE_UPSTREAM: `http://127.0.0.1:${upstream.port}`,
  });
  const ws = new WebSocket(`wss://localhost:${edge.tlsPort}/live`, { ca: await readRoot(dir) });
  t.after(() => ws.terminate());
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = new Promise<string>((resolve) =>
    ws.once('message', (data) => resolve(String(data))),
  );
  ws.send('hi');
  assert.equal(await reply, 'echo: hi');
  assert.deepEqual(protos, ['https']);
  // Closed here: the upstream's close (an earlier `after`) waits for the tunnel.
  ws.terminate();
  await once(ws, 'close');
});
