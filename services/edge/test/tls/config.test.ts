/** The TLS settings as loadConfig reads them: defaults, lists, and the checks across settings. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

async function root(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-config-'));
  t.after(() => rm(dir, { recursive: true }));
  return dir;
}

test('TLS is off by default; internal certificates for localhost when it is on', async (t) => {
  const staticRoot = await root(t);
  const off = loadConfig({ EDGE_STATIC_ROOT: staticRoot });
  assert.equal(off.tlsPort, 0);
  assert.equal(off.httpRedirect, false);
  assert.equal(off.hstsMaxAgeS, 0);
  const on = loadConfig({ EDGE_STATIC_ROOT: staticRoot, EDGE_TLS_PORT: '8443' });
  assert.equal(on.tlsCerts, 'internal');
  assert.equal(on.tlsDir, '/var/lib/edge-tls');
  assert.deepEqual(on.tlsNames, ['localhost', '127.0.0.1', '::1']);
  const files = loadConfig({
    EDGE_STATIC_ROOT: staticRoot,
    EDGE_TLS_PORT: '8443',
    EDGE_TLS_CERTS: 'files',
    EDGE_TLS_FILES: ' /a/site.crt:/a/site.key , /b/c.pem:/b/k.pem',
  });
  assert.deepEqual(files.tlsFiles, [
    { cert: '/a/site.crt', key: '/a/site.key' },
    { cert: '/b/c.pem', key: '/b/k.pem' },
  ]);
});

const ACME = { EDGE_TLS_PORT: '8443', EDGE_TLS_CERTS: 'acme', EDGE_TLS_NAMES: 'www.example.org' };

test("EDGE_TLS_CERTS=acme: Let's Encrypt by default, the names as listed", async (t) => {
  const config = loadConfig({ EDGE_STATIC_ROOT: await root(t), ...ACME });
  assert.equal(config.acmeDirectoryUrl, 'https://acme-v02.api.letsencrypt.org/directory');
  assert.deepEqual(config.tlsNames, ['www.example.org']);
  assert.equal(config.acmeEmail, '');
  assert.equal(config.acmeCaFile, '');
  const peers = loadConfig({
    EDGE_STATIC_ROOT: await root(t),
    ...ACME,
    EDGE_ACME_PEERS: 'tasks.edge:8080, [fd00::1]:80',
  }).acmePeers;
  assert.deepEqual(peers, [
    { host: 'tasks.edge', port: 8080 },
    { host: 'fd00::1', port: 80 },
  ]);
});

test('bad TLS settings: one error naming the setting', async (t) => {
  const staticRoot = await root(t);
  const cases: [Record<string, string>, RegExp][] = [
    [{ EDGE_HTTP_REDIRECT: 'true' }, /EDGE_HTTP_REDIRECT: needs EDGE_TLS_PORT/],
    [{ EDGE_TLS_PORT: '8080' }, /EDGE_TLS_PORT: must differ from EDGE_PORT/],
    [{ EDGE_TLS_PORT: '8443', EDGE_TLS_CERTS: 'files' }, /EDGE_TLS_FILES: must name/],
    [{ EDGE_TLS_FILES: 'only-a-cert.pem' }, /EDGE_TLS_FILES: "only-a-cert.pem" is not/],
    [{ EDGE_TLS_NAMES: 'localhost,bad name' }, /EDGE_TLS_NAMES: "bad name"/],
    [{ EDGE_TLS_CERTS: 'certbot' }, /EDGE_TLS_CERTS/],
    // ACME: the default names are loopback ones no public CA certifies.
    [
      { EDGE_TLS_PORT: '8443', EDGE_TLS_CERTS: 'acme' },
      /EDGE_TLS_NAMES: with EDGE_TLS_CERTS=acme.*"localhost"/,
    ],
    [{ ...ACME, EDGE_TLS_NAMES: '*.example.org' }, /EDGE_TLS_NAMES: .*wildcard/],
    [
      { ...ACME, EDGE_ACME_DIRECTORY_URL: 'http://ca.example/dir' },
      /EDGE_ACME_DIRECTORY_URL: must be an https/,
    ],
    [{ ...ACME, EDGE_ACME_EMAIL: 'ops' }, /EDGE_ACME_EMAIL: "ops" is not an email/],
    [{ ...ACME, EDGE_ACME_RETRY_MS: '5' }, /EDGE_ACME_RETRY_MS/],
    [{ ...ACME, EDGE_ACME_PEERS: 'tasks.edge' }, /EDGE_ACME_PEERS: "tasks.edge" is not host:port/],
    [{ EDGE_HSTS_MAX_AGE_S: '-1' }, /EDGE_HSTS_MAX_AGE_S/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadConfig({ EDGE_STATIC_ROOT: staticRoot, ...env }),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
      JSON.stringify(env),
    );
  }
});
