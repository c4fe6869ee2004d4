/**
 * The lingering close after a 413 (src/proxy/linger.ts): a raw client that
 * streams its body at full speed without waiting reads the whole answer
 * instead of a reset, and the draining that makes it so is bounded.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { type TestContext, test } from 'node:test';
import { lingerIfUnread, type ProxyOptions } from '../../src/proxy/index.ts';
import { startEdge, startUpstream, until, upstreamUrl } from './helpers.ts';
import { assertWhole413, post, rawRequest } from './raw-client.ts';

const BODY = 20 * 1024 * 1024;
const ROUNDS = 20;

async function setup(t: TestContext, options: Partial<ProxyOptions> = {}) {
  const upstream = await startUpstream(t, (_req, res) => res.end('upstream'));
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    maxBodyBytes: 1000,
    ...options,
  });
  return { upstream, edge };
}

test(`a declared 20 MiB body streamed at full speed still gets the whole 413 (${ROUNDS} rounds)`, async (t) => {
  const { upstream, edge } = await setup(t);
  const body = Buffer.alloc(BODY, 0x61);
  for (let round = 0; round < ROUNDS; round++) {
    const outcome = await rawRequest(edge.port, post(BODY), (socket) => socket.write(body));
    assertWhole413(outcome);
  }
  assert.deepEqual(upstream.seen, []);
});

test(`a chunked body passing the limit mid-stream gets the whole 413 (${ROUNDS} rounds)`, async (t) => {
  const { edge } = await setup(t);
  // One chunk of the chunked framing, 1 MiB; 20 of them with no end.
  const size = 1024 * 1024;
  const chunk = Buffer.concat([
    Buffer.from(`${size.toString(16)}\r\n`),
    Buffer.alloc(size, 0x62),
    Buffer.from('\r\n'),
  ]);
  const stream = Buffer.concat(Array.from({ length: 20 }, () => chunk));
  for (let round = 0; round < ROUNDS; round++) {
    const outcome = await rawRequest(edge.port, post('chunked'), (socket) => socket.write(stream));
    assertWhole413(outcome);
  }
});

test('bytes after a refused body are dropped, never parsed as a request', async (t) => {
  const { upstream, edge } = await setup(t);
  const smuggled = 'GET /smuggled HTTP/1.1\r\nhost: edge.test\r\n\r\n';
  // Sent once the answer arrived, i.e. while the edge lingers.
  const outcome = await rawRequest(edge.port, post(2000), (socket) => {
    socket.write(Buffer.alloc(2000, 0x63));
    socket.once('data', () => socket.end(smuggled));
  });
  assertWhole413(outcome);
  assert.equal(outcome.text.match(/HTTP\/1\.1 /g)?.length, 1, 'one answer only');
  assert.deepEqual(upstream.seen, []);
});

/**
 * Sends a head declaring 1 GiB and the first KiB, then `feed`s; resolves
 * with the milliseconds from the 413's arrival to the edge closing its end
 * (seen on the edge's socket: a half-closed client that sends nothing
 * would never learn of it).
 */
async function lingerTime(
  t: TestContext,
  edge: Awaited<ReturnType<typeof setup>>['edge'],
  feed: (socket: Socket) => void,
): Promise<number> {
  const accepted = once(edge.server, 'connection');
  const socket = connect({ port: edge.port, host: '127.0.0.1', allowHalfOpen: true });
  t.after(() => socket.destroy());
  socket.on('error', () => {});
  socket.write(post(1024 ** 3));
  socket.write('x'.repeat(1024));
  feed(socket);
  const [served] = (await accepted) as [Socket];
  const closed = once(served, 'close');
  const [answer] = (await once(socket, 'data')) as [Buffer];
  const answered = performance.now();
  assert.match(answer.toString('latin1'), /^HTTP\/1\.1 413 /);
  await closed;
  return performance.now() - answered;
}

test('the linger ends after EDGE_LINGER_MS even while the client keeps sending', async (t) => {
  const { edge } = await setup(t, { lingerMs: 300, lingerIdleMs: 5000 });
  const ms = await lingerTime(t, edge, (socket) => {
    const drip = setInterval(() => socket.write('x'.repeat(1000)), 20);
    socket.on('close', () => clearInterval(drip));
    t.after(() => clearInterval(drip));
  });
  assert.ok(ms >= 250, `closed after ${ms} ms, not at once`);
  assert.ok(ms < 1500, `closed after ${ms} ms`);
});

test('the linger ends after EDGE_LINGER_IDLE_MS once the client stalls', async (t) => {
  const { edge } = await setup(t, { lingerMs: 30_000, lingerIdleMs: 200 });
  const ms = await lingerTime(t, edge, () => {});
  assert.ok(ms >= 150, `closed after ${ms} ms, not at once`);
  assert.ok(ms < 1500, `closed after ${ms} ms`);
});

test('the linger belongs to the refusing response: a later close on a kept-alive connection is prompt', async (t) => {
  // An answer that armed the linger but kept the connection (a refusal
  // that does not close), then a second request asking to close: the
  // second response must close at once, not linger for EDGE_LINGER_IDLE_MS.
  let n = 0;
  const server = createServer((req, res) => {
    n += 1;
    if (n === 1) lingerIfUnread(req, res, { lingerMs: 30_000, lingerIdleMs: 2000 });
    res.end(`answer ${n}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const accepted = once(server, 'connection');
  const socket = connect({
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    allowHalfOpen: true,
  });
  t.after(() => socket.destroy());
  socket.on('error', () => {});
  // The body is declared but not sent: unread when the first answer goes.
  socket.write('POST /one HTTP/1.1\r\nhost: t\r\ncontent-length: 10\r\n\r\n');
  const [served] = (await accepted) as [Socket];
  const closed = once(served, 'close');
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  await until(() => text.includes('answer 1'));
  socket.write('0123456789GET /two HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n');
  await until(() => text.includes('answer 2'));
  const answered = performance.now();
  await closed;
  const ms = performance.now() - answered;
  assert.ok(ms < 1000, `closed ${ms.toFixed(0)} ms after the second answer`);
});
