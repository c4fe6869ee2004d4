/**
 * EDGE_TLS_CERTS=files: pairs chosen by SNI, a replaced pair served to new
 * connections while an open h2 session goes on, a mismatched pair refused
 * with one line while the previous one is still served, and a bad pair at
 * start a configuration error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { issueLeaf, loadOrCreateAuthority } from '../../src/tls/internal-ca.ts';
import { sleep, until } from '../proxy/helpers.ts';
import { freePort, h2Get, h2Session, makeStaticRoot, readRoot, startTlsEdge } from './helpers.ts';

const QUIET = { info() {}, error() {} };
const DAY_MS = 86_400_000;

async function fixture(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await loadOrCreateAuthority(join(dir, 'ca'), QUIET);
  const caPem = await readRoot(join(dir, 'ca'));
  const write = async (name: string, names: string[]) => {
    const leaf = await issueLeaf(ca, names, DAY_MS);
    // Temp file + rename, as a secret or certbot update lands.
    for (const [suffix, text] of [
      ['key', leaf.key],
      ['crt', leaf.cert],
    ] as const) {
      await writeFile(join(dir, `.${name}.${suffix}.tmp`), text);
      await rename(join(dir, `.${name}.${suffix}.tmp`), join(dir, `${name}.${suffix}`));
    }
    return leaf;
  };
  const pair = (name: string) => `${join(dir, `${name}.crt`)}:${join(dir, `${name}.key`)}`;
  return { dir, caPem, write, pair, issue: (names: string[]) => issueLeaf(ca, names, DAY_MS) };
}

/** The serial number of the leaf a new connection is shown for `servername`. */
function servedSerial(port: number, ca: string, servername = 'localhost'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.once('error', reject);
  });
}

function serialOf(pem: string): string {
  return new X509Certificate(pem).serialNumber;
}

test('pairs by SNI; a replaced pair reaches new connections, an open h2 session goes on', async (t) => {
  const f = await fixture(t);
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
  const f = await fixture(t);
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
  const f = await fixture(t);
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
