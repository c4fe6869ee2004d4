/**
 * An h2 client that leaves while a proxied response is still streaming (a
 * closed tab, a load generator stopping) costs its own streams and
 * nothing else: the worker goes on serving, and the request is still
 * logged once the stream closes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CSS_TEXT, TABLE_CSS } from '../helpers.ts';
import { startUpstream, until } from '../proxy/helpers.ts';
import { h2Get, h2Session, readRoot, startTlsEdge } from './helpers.ts';

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
