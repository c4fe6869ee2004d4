/**
 * An h2 client that leaves while a proxied response is still streaming (a
 * closed tab, a load generator stopping) costs its own streams and
 * nothing else: the worker goes on serving, and the request is still
 * logged once the stream closes, as 499. A stream the client cancels before the
 * upstream's answer frees its upstream request too: it used to stay
 * paused, holding its upstream connection until the worker stopped (and
 * holding the stop to its grace period).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { constants } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CSS_TEXT, TABLE_CSS } from '../helpers.ts';
import { startUpstream, until } from '../proxy/helpers.ts';
import { h2Get, h2Session, readRoot, startTlsEdge, stop } from './helpers.ts';

test('an h2 session destroyed mid-response leaves the worker serving', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let started = 0;
  const upstream = await startUpstream(t, (_req, res) => {
    started++;
    // The head and a first chunk, then a body that never ends on its own.
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('part of a long answer');
  });
  const edge = await startTlsEdge(t, {
    EDGE_TLS_DIR: dir,
    EDGE_UPSTREAM: `http://127.0.0.1:${upstream.port}`,
  });
  const ca = await readRoot(dir);

  const leaving = await h2Session(t, edge.tlsPort, ca);
  const stream = leaving.request({ ':path': '/long' });
  stream.on('error', () => {});
  await new Promise((resolve) => stream.once('data', resolve));
  assert.equal(started, 1);
  leaving.destroy();

  // The edge's stream closes once it sees the session go; its access-log line follows.
  await until(() => edge.lines.some((line) => line.path === '/long'));
  // nginx's "client closed request", not the 200 the response started with.
  assert.equal(edge.lines.find((line) => line.path === '/long')?.status, 499);
  await sleep(200);
  assert.deepEqual(
    edge.lines.filter((line) => String(line.msg).startsWith('worker died')),
    [],
    'the worker crashed',
  );
  const session = await h2Session(t, edge.tlsPort, ca);
  const css = await h2Get(session, `/static/${TABLE_CSS}`);
  assert.equal(css.status, 200);
  assert.equal(css.body.toString(), CSS_TEXT);
});

test('an h2 stream cancelled before the upstream answers releases the upstream request', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let answer = (): void => {};
  let upstreamClosed = false;
  const upstream = await startUpstream(t, (req, res) => {
    if (req.url === '/whole') {
      res.end('whole');
      return;
    }
    res.socket?.on('close', () => {
      upstreamClosed = true;
    });
    // Answered only once the client has cancelled: the edge gets a head for a stream that is gone.
    answer = () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
      res.end('hello');
    };
  });
  const edge = await startTlsEdge(t, {
    EDGE_TLS_DIR: dir,
    EDGE_UPSTREAM: `http://127.0.0.1:${upstream.port}`,
    EDGE_SHUTDOWN_GRACE_MS: '3000',
  });
  const ca = await readRoot(dir);

  const session = await h2Session(t, edge.tlsPort, ca);
  const stream = session.request({ ':path': '/slow' });
  stream.on('error', () => {});
  await until(() => upstream.seen.includes('GET /slow'));
  stream.close(constants.NGHTTP2_CANCEL);
  await until(() => edge.lines.some((line) => line.path === '/slow'));
  assert.equal(edge.lines.find((line) => line.path === '/slow')?.status, 499);
  answer();
  // Aborted, undici closes that connection; left paused, it stayed open for good.
  await until(() => upstreamClosed, 3000);

  const css = await h2Get(session, `/static/${TABLE_CSS}`);
  assert.equal(css.status, 200);
  // A proxied stream that ends as it should is logged with its own status.
  const whole = await h2Get(session, '/whole');
  assert.equal(whole.status, 200);
  await until(() => edge.lines.some((line) => line.path === '/whole'));
  assert.equal(edge.lines.find((line) => line.path === '/whole')?.status, 200);
  session.close();
  // Nothing left in flight: the worker stops at once, not cut at the grace's end (exit 1).
  assert.equal(await stop(edge), 0);
  assert.deepEqual(
    edge.lines.filter((line) => line.msg === 'grace period over; cutting requests in flight'),
    [],
  );
});
