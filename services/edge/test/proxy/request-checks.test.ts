/**
 * What the proxy checks before an upstream sees a request, on both paths:
 * the `Host` (RFC 9112 §3.2), header bytes passed through unchanged, and
 * `Expect: 100-continue` answered only once the request is admitted.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { type TestContext, test } from 'node:test';
import { readBody, sleep, startEdge, startUpstream, until, upstreamUrl } from './helpers.ts';

/**
 * Writes `request` on a fresh connection; resolves with what came back by
 * its close, or `ms` after the first bytes (a kept-alive answer never
 * closes; a busy machine may take seconds to send the first byte, which
 * CI saw).
 */
async function exchange(port: number, request: Buffer | string, ms = 300): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let text = '';
  const first = new Promise((resolve) => socket.once('data', resolve));
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  socket.write(request);
  const closed = once(socket, 'close');
  await Promise.race([closed, first.then(() => sleep(ms)), sleep(10_000)]);
  socket.destroy();
  return text;
}

/** A raw upstream that records the bytes of every request head and answers 200. */
async function byteUpstream(t: TestContext): Promise<{ port: number; heads: Buffer[] }> {
  const heads: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (data: Buffer) => {
      heads.push(data);
      const status = data.includes('upgrade: websocket')
        ? '403 Forbidden\r\nconnection: close'
        : '200 OK';
      socket.write(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\nx-reply: `),
          VALUE,
          Buffer.from('\r\n\r\n'),
        ]),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { port: (server.address() as import('node:net').AddressInfo).port, heads };
}

const PLAIN = 'GET /p HTTP/1.1\r\n';
const VALUE = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xc3, 0xa9]); // "caf\xE9 \xC3\xA9"
const UPGRADE = 'GET /p HTTP/1.1\r\nconnection: Upgrade\r\nupgrade: websocket\r\n';

for (const [path, start] of [
  ['ordinary', PLAIN],
  ['upgrade', UPGRADE],
] as const) {
  test(`${path} path: two Host fields or an invalid Host get 400, never forwarded`, async (t) => {
    const upstream = await startUpstream(t, (_req, res) => res.end('ok'));
    const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
    for (const host of ['host: a.test\r\nhost: b.test', 'host: a/x?y', 'host: a b', 'host: u@a']) {
      const answer = await exchange(edge.port, `${start}${host}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400 /, host);
      assert.match(answer, /"code":"bad_host"/, host);
      assert.match(answer.toLowerCase(), /\r\nconnection: close\r\n/, host);
    }
    // HTTP/1.1 without Host: Node refuses an ordinary request itself, not an upgrade.
    assert.match(await exchange(edge.port, `${start}\r\n`), /^HTTP\/1\.1 400 /);
    assert.deepEqual(upstream.seen, []);
    for (const host of ['app.example:8080', '[::1]:80', '127.0.0.1', 'xn--bcher-kva.example']) {
      // The upstream has no upgrade handler: it answers a handshake with 200 too.
      const answer = await exchange(edge.port, `${start}host: ${host}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 200 /, host);
    }
    assert.equal(upstream.seen.length, 4);
  });

  test(`${path} path: header bytes above 0x7f pass unchanged both ways`, async (t) => {
    const upstream = await byteUpstream(t);
    const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
    const value = VALUE;
    const request = Buffer.concat([
      Buffer.from(`${start}host: edge.test\r\nx-name: `),
      value,
      Buffer.from('\r\n\r\n'),
    ]);
    const answer = await exchange(edge.port, request);
    assert.ok(answer.includes(`x-reply: ${value.toString('latin1')}\r\n`), answer);
    await until(() => upstream.heads.length === 1);
    const head = upstream.heads[0] as Buffer;
    assert.ok(
      head.includes(Buffer.concat([Buffer.from('x-name: '), value, Buffer.from('\r\n')])),
      head.toString('latin1'),
    );
  });
}

test('Expect: 100-continue gets 413 or 429 first, never an invitation to send', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('ok'));
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    rateLimitPerSecond: 1,
    rateLimitBurst: 1,
  });
  const post = (length: number) =>
    `POST /upload HTTP/1.1\r\nhost: edge.test\r\ncontent-length: ${length}\r\nexpect: 100-continue\r\n\r\n`;
  const tooLarge = await exchange(edge.port, post(99_999_999));
  assert.match(tooLarge, /^HTTP\/1\.1 413 /);
  assert.doesNotMatch(tooLarge, /100 Continue/);
  assert.match(tooLarge.toLowerCase(), /\r\nconnection: close\r\n/);
  const limited = await exchange(edge.port, post(5));
  assert.match(limited, /^HTTP\/1\.1 429 /);
  assert.doesNotMatch(limited, /100 Continue/);
  assert.match(limited.toLowerCase(), /\r\nconnection: close\r\n/);
  assert.deepEqual(upstream.seen, []);
});

test('an admitted Expect: 100-continue gets 100, then the upstream’s answer; Expect is not forwarded', async (t) => {
  const seen: Array<{ expect?: string; body: string }> = [];
  const upstream = await startUpstream(t, async (req, res) => {
    seen.push({ expect: req.headers.expect, body: String(await readBody(req)) });
    res.end('stored');
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const socket = connect(edge.port, '127.0.0.1');
  t.after(() => socket.destroy());
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  socket.write(
    'POST /upload HTTP/1.1\r\nhost: edge.test\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n',
  );
  await until(() => text.includes('\r\n\r\n'));
  assert.equal(text, 'HTTP/1.1 100 Continue\r\n\r\n', 'the body is invited, nothing else yet');
  socket.write('hello');
  await until(() => text.endsWith('stored'));
  assert.match(text, /100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  assert.deepEqual(seen, [{ expect: undefined, body: 'hello' }]);
});
