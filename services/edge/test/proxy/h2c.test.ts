/**
 * "h2c smuggling": a client asks the proxy to forward `Upgrade: h2c`; an
 * upstream that accepts switches the connection to HTTP/2, and every stream
 * after that goes past the proxy's routing. Only an `Upgrade` of exactly
 * `websocket` passes the edge; any other (h2c, TLS/1.0, a list) is an
 * ordinary request whose `Upgrade`, `HTTP2-Settings` and `Connection` never
 * reach the upstream, and no 101 but WebSocket's reaches the client. Raw
 * sockets: the bytes written are exactly the ones below.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type TestContext, test } from 'node:test';
import { sleep, startEdge, startUpstream, upstreamUrl } from './helpers.ts';
import { openRaw, wholeResponse } from './raw-client.ts';

const SETTINGS = 'AAMAAABkAAQCAAAAAAIAAAAA';
const H2C = `Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: ${SETTINGS}\r\n`;
// What a client speaking h2c sends once it believes the switch happened.
const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00';
const WS_KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
}

/** An upstream that records every request and upgrade it gets; an upgrade is echoed back after a 101. */
async function recordingUpstream(t: TestContext, answer101 = 'websocket') {
  const requests: Seen[] = [];
  const upgrades: Seen[] = [];
  const record = (req: IncomingMessage): Seen => ({
    method: req.method ?? '',
    url: req.url ?? '',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
  });
  const upstream = await startUpstream(t, (req, res) => {
    requests.push(record(req));
    req.resume();
    res.end('ordinary');
  });
  upstream.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    upgrades.push(record(req));
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${answer101}\r\n\r\n`,
    );
    socket.pipe(socket);
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  return { requests, upgrades, edge };
}

/** Nothing of the upgrade reached the upstream: no field, no `Connection` token, in any case. */
function assertNoUpgradeFields(seen: Seen | undefined): void {
  assert.ok(seen, 'the upstream got the request');
  assert.equal(seen.headers.upgrade, undefined);
  assert.equal(seen.headers['http2-settings'], undefined);
  const tokens = String(seen.headers.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((token) => token.trim());
  assert.ok(!tokens.includes('upgrade'), `connection: ${seen.headers.connection}`);
  assert.ok(!tokens.includes('http2-settings'), `connection: ${seen.headers.connection}`);
  const names = seen.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
  assert.ok(!names.includes('upgrade') && !names.includes('http2-settings'), names.join(' '));
}

function assertOrdinaryResponse(text: string, status = 200): void {
  assert.match(text, new RegExp(`^HTTP/1\\.1 ${status} `));
  assert.doesNotMatch(text, /HTTP\/1\.1 101 /, 'no switch of protocols');
  assert.doesNotMatch(text.slice(0, text.indexOf('\r\n\r\n')), /\r\nupgrade:/i);
}

test('an h2c upgrade, preface and all, is an ordinary GET: the upstream sees no upgrade', async (t) => {
  const { requests, upgrades, edge } = await recordingUpstream(t);
  const client = openRaw(t, edge.port);
  // The head and the HTTP/2 preface in one write, as a smuggling client sends them.
  client.socket.write(`GET /admin HTTP/1.1\r\nHost: edge.test\r\n${H2C}\r\n${PREFACE}`);
  const text = await client.until(wholeResponse);
  assertOrdinaryResponse(text);
  assert.match(text, /\r\n\r\nordinary$/);
  await sleep(100);
  assert.equal(upgrades.length, 0, 'no upgrade asked of the upstream');
  assert.deepEqual(
    requests.map((r) => `${r.method} ${r.url}`),
    ['GET /admin'],
    'the preface was never forwarded as a request',
  );
  assertNoUpgradeFields(requests[0]);
});

// Each an `Upgrade` other than exactly `websocket`, with the settings field.
const NOT_WEBSOCKET: Array<[string, string]> = [
  ['h2c, HTTP2-Settings not named in Connection', 'Connection: Upgrade\r\nUpgrade: h2c\r\n'],
  ['TLS/1.0 (RFC 2817)', 'Connection: Upgrade\r\nUpgrade: TLS/1.0\r\n'],
  ['h2c, websocket', 'Connection: Upgrade\r\nUpgrade: h2c, websocket\r\n'],
  ['websocket, h2c', 'Connection: Upgrade\r\nUpgrade: websocket, h2c\r\n'],
  ['two Upgrade fields', 'Connection: Upgrade\r\nUpgrade: websocket\r\nUpgrade: h2c\r\n'],
];

for (const [name, fields] of NOT_WEBSOCKET) {
  test(`Upgrade ${name}: an ordinary request, no upgrade field upstream`, async (t) => {
    const { requests, upgrades, edge } = await recordingUpstream(t);
    const client = openRaw(t, edge.port);
    client.socket.write(
      `GET /x HTTP/1.1\r\nHost: edge.test\r\n${WS_KEY}${fields}HTTP2-Settings: ${SETTINGS}\r\n\r\n`,
    );
    assertOrdinaryResponse(await client.until(wholeResponse));
    assert.equal(upgrades.length, 0);
    assert.equal(requests.length, 1);
    assertNoUpgradeFields(requests[0]);
  });
}

test('Upgrade: websocket still tunnels, without the HTTP2-Settings field', async (t) => {
  const { requests, upgrades, edge } = await recordingUpstream(t);
  const client = openRaw(t, edge.port);
  client.socket.write(
    'GET /live HTTP/1.1\r\nHost: edge.test\r\nConnection: Upgrade, HTTP2-Settings\r\n' +
      `Upgrade: WebSocket\r\n${WS_KEY}HTTP2-Settings: ${SETTINGS}\r\n\r\n`,
  );
  const head = await client.until((text) => text.includes('\r\n\r\n'));
  assert.match(head, /^HTTP\/1\.1 101 /);
  assert.match(head, /\r\nupgrade: websocket\r\n/i);
  client.socket.write('through the tunnel');
  await client.until((text) => text.endsWith('\r\n\r\nthrough the tunnel'));
  // Closing the client closes the tunnel, so the upstream can close without its idle timeout.
  client.socket.destroy();
  assert.equal(requests.length, 0);
  assert.equal(upgrades.length, 1);
  const seen = upgrades[0];
  assert.equal(seen?.headers.upgrade, 'WebSocket');
  assert.equal(seen?.headers['http2-settings'], undefined);
  assert.deepEqual(
    String(seen?.headers.connection)
      .split(',')
      .map((token) => token.trim().toLowerCase()),
    ['upgrade'],
  );
});

test('an upstream switching a WebSocket request to h2c is refused: 502, no tunnel', async (t) => {
  const { upgrades, edge } = await recordingUpstream(t, 'h2c');
  const client = openRaw(t, edge.port);
  client.socket.write(
    `GET /live HTTP/1.1\r\nHost: edge.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${WS_KEY}\r\n`,
  );
  assertOrdinaryResponse(await client.until(wholeResponse), 502);
  assert.equal(upgrades.length, 1);
});

test('an upstream answering an ordinary request with 101 h2c is refused: 502', async (t) => {
  // An upstream that switches whatever it is asked: the switch must stop at the edge.
  const sockets = new Set<Socket>();
  const upstream = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
      );
    });
  });
  upstream.listen(0, '127.0.0.1');
  await new Promise((resolve) => upstream.once('listening', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    upstream.close();
  });
  const port = (upstream.address() as AddressInfo).port;
  const edge = await startEdge(t, { upstream: upstreamUrl(port, '127.0.0.1') });
  const client = openRaw(t, edge.port);
  client.socket.write(`GET / HTTP/1.1\r\nHost: edge.test\r\n${H2C}\r\n`);
  assertOrdinaryResponse(await client.until(wholeResponse), 502);
});
