/**
 * EDGE_TLS_CERTS=files: pairs chosen by SNI, a replaced pair served to new
 * connections while an open h2 session goes on, a mismatched pair refused
 * with one line while the previous one is still served, and a bad pair at
 * start a configuration error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sleep, until } from '../proxy/helpers.ts';
import { certFiles, serialOf, servedSerial } from './cert-files.ts';
import { freePort, h2Get, h2Session, makeStaticRoot, startTlsEdge } from './helpers.ts';

test('pairs by SNI; a replaced pair reaches new connections, an open h2 session goes on', async (t) => {
  const f = await certFiles(t);
  const local = await f.write('local', ['localhost', '127.0.0.1']);
  const other = await f.write('other', ['other.test', '*.wild.test']);
  const edge = await startTlsEdge(t, {
    EDGE_TLS_CERTS: 'files',
    EDGE_TLS_FILES: `${f.pair('local')},${f.pair('other')}`,
    EDGE_TLS_POLL_MS: '100',
  });
  assert.equal(await servedSerial(edge.tlsPort, f.caPem), serialOf(local.cert));
  assert.equal(await servedSerial(edge.tlsPort, f.caPem, 'other.test'), serialOf(other.cert));
  assert.equal(await servedSerial(edge.tlsPort, f.caPem, 'a.wild.test'), serialOf(other.cert));

  const session = await h2Session(t, edge.tlsPort, f.caPem);
  assert.equal((await h2Get(session, '/_edge/healthz')).status, 200);

  const renewed = await f.write('local', ['localhost', '127.0.0.1']);
  const wanted = serialOf(renewed.cert);
  let served = '';
  for (let i = 0; i < 50 && served !== wanted; i++) {
    served = await servedSerial(edge.tlsPort, f.caPem);
    if (served !== wanted) await sleep(100);
  }
  assert.equal(served, wanted, 'a new connection gets the new pair');
  // The session opened before the reload is still served, on its old certificate.
  assert.equal((await h2Get(session, '/_edge/healthz')).status, 200);
  const socket = session.socket as import('node:tls').TLSSocket;
  assert.equal(socket.getPeerCertificate().serialNumber, serialOf(local.cert));
  // The log is buffered (up to 1 s).
  await until(() => edge.lines.some((line) => line.msg === 'TLS certificate reloaded'));
});

test('a mismatched pair is refused with one line naming the file; the previous one is served', async (t) => {
  const f = await certFiles(t);
  const local = await f.write('local', ['localhost']);
  const edge = await startTlsEdge(t, {
    EDGE_TLS_CERTS: 'files',
    EDGE_TLS_FILES: f.pair('local'),
    EDGE_TLS_POLL_MS: '100',
  });
  // Another leaf's certificate beside the old key.
  const stranger = await f.issue(['localhost']);
  await writeFile(join(f.dir, '.local.crt.tmp'), stranger.cert);
  await rename(join(f.dir, '.local.crt.tmp'), join(f.dir, 'local.crt'));
  const refused = () => edge.lines.filter((line) => line.msg?.toString().includes('refused'));
  await until(() => refused().length > 0, 5000);
  await sleep(500); // several polls and any late watch event: still one line
  assert.equal(refused().length, 1);
  assert.match(String(refused()[0]?.file), /local\.(crt|key)$/);
  assert.equal(await servedSerial(edge.tlsPort, f.caPem), serialOf(local.cert));
});

test('a bad pair at start: one line naming the file, exit 1', async (t) => {
  const f = await certFiles(t);
  await f.write('local', ['localhost']);
  const stranger = await f.issue(['localhost']);
  await writeFile(join(f.dir, 'local.key'), stranger.key);
  const { root } = await makeStaticRoot(t);
  const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
  const result = spawnSync(process.execPath, [main], {
    env: {
      ...process.env,
      EDGE_PORT: '0',
      EDGE_WORKERS: '1',
      EDGE_STATIC_ROOT: root,
      EDGE_TLS_PORT: String(await freePort()),
      EDGE_TLS_CERTS: 'files',
      EDGE_TLS_FILES: f.pair('local'),
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', /EDGE_TLS_FILES.*local\.key: does not match/);
});
