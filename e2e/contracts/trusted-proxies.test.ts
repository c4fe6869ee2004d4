/**
 * APP_TRUSTED_PROXIES and EDGE_TRUSTED_PROXIES take one grammar: the same
 * value loads in both services' config, or is refused by both with the same
 * reason, and a range name trusts the same peers in the app (Fastify) as in
 * the edge (BlockList).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig as loadAppConfig } from '../../services/app/src/config.ts';
import { captureLog, testApp, testConfig } from '../../services/app/test/helpers/app.ts';
import { ConfigError, loadConfig as loadEdgeConfig } from '../../services/edge/src/config.ts';
import { trustList } from '../../services/edge/src/proxy/index.ts';

const ACCEPTED = [
  'uniquelocal',
  'loopback, linklocal',
  ' 10.0.0.0/8, 172.18.0.3 ,fd00::/8',
  '10.0.0.0/8,,',
  '0.0.0.0/0',
  '::1',
];
const REFUSED = ['10.0.0.0/33', '10.0.0.0/', 'app', 'true', '1', '10.0.0.1 10.0.0.2', 'fd00::/129'];

async function loaders(t: import('node:test').TestContext) {
  const root = await mkdtemp(join(tmpdir(), 'edge-config-'));
  t.after(() => rm(root, { recursive: true }));
  return {
    app: (value: string) =>
      loadAppConfig({ DATABASE_URL: 'postgres://a:b@db/app', APP_TRUSTED_PROXIES: value })
        .trustedProxies,
    edge: (value: string) =>
      loadEdgeConfig({ EDGE_STATIC_ROOT: root, EDGE_TRUSTED_PROXIES: value }).trustedProxies,
  };
}

function refusal(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error;
  }
  return assert.fail('accepted');
}

test('a value both services accept loads the same list in both', async (t) => {
  const { app, edge } = await loaders(t);
  for (const value of ACCEPTED) assert.deepEqual(app(value), edge(value), value);
});

test('a value one refuses the other refuses too, with the same one-line reason', async (t) => {
  const { app, edge } = await loaders(t);
  for (const value of REFUSED) {
    const fromApp = refusal(() => app(value));
    const fromEdge = refusal(() => edge(value));
    assert.equal(fromApp.setting, 'APP_TRUSTED_PROXIES');
    assert.equal(fromEdge.setting, 'EDGE_TRUSTED_PROXIES');
    assert.equal(fromApp.message.replace('APP_', 'EDGE_'), fromEdge.message, value);
    assert.doesNotMatch(fromApp.message, /\n/);
  }
});

test('uniquelocal trusts the same peers in the app as in the edge', async (t) => {
  const { edge } = await loaders(t);
  const list = trustList(edge('uniquelocal'));
  const log = captureLog();
  const app = testApp(t, testConfig({ APP_TRUSTED_PROXIES: 'uniquelocal' }), log);
  const peers = ['10.1.2.3', '172.16.0.1', '172.32.0.1', '192.168.9.9', 'fd00::1', '127.0.0.1'];
  const trusted: boolean[] = [];
  for (const [i, peer] of peers.entries()) {
    const requestId = `trust-contract-${i}`;
    await app.inject({
      url: '/healthz',
      headers: { 'x-request-id': requestId, 'x-forwarded-for': '198.51.100.7' },
      remoteAddress: peer,
    });
    const line = log.lines.find((l) => l.requestId === requestId);
    const trustedByApp = line?.clientAddress === '198.51.100.7';
    const trustedByEdge = list?.check(peer, peer.includes(':') ? 'ipv6' : 'ipv4');
    assert.equal(trustedByApp, trustedByEdge, peer);
    trusted.push(trustedByApp);
  }
  assert.deepEqual(trusted, [true, true, false, true, true, false]);
});
