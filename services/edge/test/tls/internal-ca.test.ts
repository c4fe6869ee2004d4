/**
 * EDGE_TLS_CERTS=internal: the local CA is created once in EDGE_TLS_DIR
 * (its key readable by the edge's user alone) and reused after a restart,
 * and the leaf it signs verifies against root.crt for every default name.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect, type PeerCertificate } from 'node:tls';
import { startMain } from '../helpers.ts';
import { freePort, h1Get, makeStaticRoot, readRoot, startTlsEdge, stop } from './helpers.ts';

/** The leaf the edge presents to `host` (SNI only for a DNS name), verified against `ca`. */
function leafFor(port: number, host: string, ca: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const isName = /[a-z]/i.test(host) && !host.includes(':');
    const socket = connect({ host, port, ca, ...(isName && { servername: host }) });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.once('error', reject);
  });
}

test('the CA is created once, 0600 key, and reused after a restart; the leaf verifies', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-ca-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { root } = await makeStaticRoot(t);

  const first = await startTlsEdge(t, { EDGE_TLS_DIR: dir }, root);
  const rootPem = await readRoot(dir);
  const fingerprint = new X509Certificate(rootPem).fingerprint256;
  assert.equal((await stat(join(dir, 'root.key'))).mode & 0o777, 0o600);
  assert.equal((await stat(join(dir, 'root.crt'))).mode & 0o777, 0o644);
  const ca = new X509Certificate(rootPem);
  assert.equal(ca.ca, true);

  // The edge listens on IPv4 here (EDGE_HOST); ::1 is checked in the SANs below.
  for (const host of ['localhost', '127.0.0.1']) {
    const leaf = await leafFor(first.tlsPort, host, rootPem);
    assert.match(leaf.subjectaltname ?? '', /DNS:localhost/);
    assert.match(leaf.subjectaltname ?? '', /IP Address:127\.0\.0\.1/);
  }
  const leafCert = (await leafFor(first.tlsPort, 'localhost', rootPem)).raw;
  const leaf = new X509Certificate(leafCert);
  assert.ok(leaf.verify(ca.publicKey), 'signed by root.crt');
  assert.ok(leaf.checkHost('localhost'));
  assert.ok(leaf.checkIP('127.0.0.1'));
  assert.ok(leaf.checkIP('::1'));
  const lifeDays = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000;
  assert.ok(lifeDays > 29 && lifeDays < 32, `a short-lived leaf (${lifeDays} days)`);
  assert.equal(await stop(first), 0);

  // A restart on the same volume: the same CA, so a client that trusted it once still does.
  const second = await startTlsEdge(t, { EDGE_TLS_DIR: dir }, root);
  assert.equal(new X509Certificate(await readRoot(dir)).fingerprint256, fingerprint);
  const answer = await h1Get(second.tlsPort, '/_edge/healthz', rootPem);
  assert.equal(answer.status, 200);
  const secondLeaf = new X509Certificate((await leafFor(second.tlsPort, 'localhost', rootPem)).raw);
  assert.ok(secondLeaf.verify(ca.publicKey));
  assert.notEqual(secondLeaf.serialNumber, leaf.serialNumber, 'a fresh leaf, the same CA');
  assert.equal(await stop(second), 0);
});

test('half a CA in the directory is a configuration error, never overwritten', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-half-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'root.crt'), 'not yet a certificate');
  const { root } = await makeStaticRoot(t);
  const started = startMain(t, {
    EDGE_STATIC_ROOT: root,
    EDGE_TLS_PORT: String(await freePort()),
    EDGE_TLS_DIR: dir,
  });
  await assert.rejects(started, /main exited with 1/);
});
