import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/config.ts';
import { trustList } from '../src/proxy/index.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

test('defaults: nginx-like timeouts, one worker per core, table on', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'edge-config-'));
  t.after(() => rm(root, { recursive: true }));
  const config = loadConfig({ EDGE_STATIC_ROOT: root });
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.port, 8080);
  assert.equal(config.workers, availableParallelism());
  assert.equal(config.headersTimeoutMs, 10_000);
  assert.equal(config.keepAliveTimeoutMs, 75_000);
  assert.equal(config.drainMs, 0);
  assert.equal(config.staticCacheBytes, 64 * 1024 * 1024);
  assert.equal(config.staticFastPath, true);
  assert.equal(config.requestTimeoutMs, 60_000);
  assert.equal(config.upstream.href, 'http://app:3000/');
  assert.deepEqual(config.trustedProxies, []);
  assert.equal(config.maxBodyBytes, 1024 * 1024);
  assert.equal(config.upstreamConnectTimeoutMs, 5000);
  assert.equal(config.upstreamTimeoutMs, 60_000);
  assert.equal(config.resolveIntervalMs, 2000);
  assert.equal(config.healthPath, '/readyz');
  assert.equal(config.healthIntervalMs, 1000);
  assert.equal(config.upstreamEjectMs, 2000);
  assert.equal(config.compressMinBytes, 1024);
  assert.equal(config.rateLimitPerSecond, 0);
  assert.equal(config.lingerMs, 30_000);
  assert.equal(config.lingerIdleMs, 5000);
  assert.equal(config.tunnelIdleMs, 60_000);
  assert.deepEqual(config.metricsAllow, ['loopback', 'uniquelocal']);
  assert.ok(Object.isFrozen(config));
});

test('proxy settings: upstream URL, trusted proxies list, limits', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'edge-config-'));
  t.after(() => rm(root, { recursive: true }));
  const config = loadConfig({
    EDGE_STATIC_ROOT: root,
    EDGE_UPSTREAM: 'http://127.0.0.1:3100',
    EDGE_TRUSTED_PROXIES: ' 10.0.0.0/8, 192.168.1.7 ,fd00::/8',
    EDGE_MAX_BODY_BYTES: '0',
    EDGE_RATE_LIMIT_RPS: '50',
    EDGE_LINGER_MS: '0',
    EDGE_LINGER_IDLE_MS: '250',
    EDGE_TUNNEL_IDLE_TIMEOUT_MS: '0',
    EDGE_METRICS_ALLOW: 'loopback, 10.1.2.3',
    EDGE_HOST: '::1',
  });
  assert.equal(config.upstream.host, '127.0.0.1:3100');
  assert.deepEqual(config.trustedProxies, ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
  assert.equal(config.maxBodyBytes, 0);
  assert.equal(config.rateLimitPerSecond, 50);
  assert.equal(config.lingerMs, 0);
  assert.equal(config.lingerIdleMs, 250);
  assert.equal(config.tunnelIdleMs, 0);
  assert.deepEqual(config.metricsAllow, ['loopback', '10.1.2.3']);
  assert.equal(config.host, '::1');
});

test('the range names mean the same in EDGE_TRUSTED_PROXIES as in APP_TRUSTED_PROXIES', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'edge-config-'));
  t.after(() => rm(root, { recursive: true }));
  const config = loadConfig({
    EDGE_STATIC_ROOT: root,
    EDGE_TRUSTED_PROXIES: 'uniquelocal,linklocal,loopback',
  });
  const list = trustList(config.trustedProxies);
  for (const address of [
    '10.1.2.3',
    '172.20.0.1',
    '192.168.0.9',
    'fd00::1',
    '169.254.1.1',
    '127.0.0.1',
    '::1',
  ]) {
    assert.ok(list?.check(address, address.includes(':') ? 'ipv6' : 'ipv4'), address);
  }
  assert.equal(list?.check('8.8.8.8', 'ipv4'), false);
});

test('settings are read from strings; an empty value means the default', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'edge-config-'));
  t.after(() => rm(root, { recursive: true }));
  const config = loadConfig({
    EDGE_STATIC_ROOT: root,
    EDGE_PORT: '9090',
    EDGE_WORKERS: '3',
    EDGE_DRAIN_MS: '',
    EDGE_STATIC_FAST_PATH: 'false',
  });
  assert.equal(config.port, 9090);
  assert.equal(config.workers, 3);
  assert.equal(config.drainMs, 0);
  assert.equal(config.staticFastPath, false);
});

const BAD: [name: string, value: string][] = [
  ['EDGE_PORT', 'eighty'],
  ['EDGE_PORT', '70000'],
  ['EDGE_WORKERS', '0'],
  ['EDGE_HEADERS_TIMEOUT_MS', '1.5'],
  ['EDGE_KEEPALIVE_TIMEOUT_MS', '-1'],
  ['EDGE_DRAIN_MS', 'soon'],
  ['EDGE_STATIC_CACHE_BYTES', '64MB'],
  ['EDGE_STATIC_FAST_PATH', 'maybe'],
  ['EDGE_LOG_LEVEL', 'loud'],
  ['EDGE_STATIC_ROOT', '/nonexistent/static'],
  ['EDGE_UPSTREAM', 'https://app:3000'],
  ['EDGE_UPSTREAM', 'app:3000'],
  ['EDGE_UPSTREAM', 'http://app:3000/api'],
  ['EDGE_TRUSTED_PROXIES', '10.0.0.0/8,not-an-address'],
  ['EDGE_TRUSTED_PROXIES', '10.0.0.0/33'],
  ['EDGE_MAX_BODY_BYTES', '1MB'],
  ['EDGE_MEDIA_ROOT', '/nonexistent/media'],
  ['EDGE_UPLOAD_PATHS', '/entries,api/entries'],
  ['EDGE_UPLOAD_PATHS', '/entries?x'],
  ['EDGE_UPLOAD_MAX_BODY_BYTES', '10MiB'],
  ['EDGE_UPSTREAM_CONNECT_TIMEOUT_MS', '0'],
  ['EDGE_UPSTREAM_TIMEOUT_MS', 'never'],
  ['EDGE_HEALTH_PATH', 'readyz'],
  ['EDGE_HEALTH_INTERVAL_MS', '-5'],
  ['EDGE_COMPRESS_MIN_BYTES', 'some'],
  ['EDGE_RATE_LIMIT_RPS', '1.5'],
  ['EDGE_LINGER_MS', '30s'],
  ['EDGE_LINGER_IDLE_MS', '0'],
  ['EDGE_TUNNEL_IDLE_TIMEOUT_MS', '1m'],
  ['EDGE_METRICS_ALLOW', 'loopback,everyone'],
  ['EDGE_HOST', 'localhost'],
  ['EDGE_HOST', '0.0.0.0:8080'],
  // Longer than the default EDGE_REQUEST_TIMEOUT_MS (60000): Node refuses it.
  ['EDGE_HEADERS_TIMEOUT_MS', '120000'],
];

for (const [name, value] of BAD) {
  test(`${name}=${value} is refused with a message naming ${name}`, async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'edge-config-'));
    t.after(() => rm(root, { recursive: true }));
    assert.throws(
      () => loadConfig({ EDGE_STATIC_ROOT: root, [name]: value }),
      (error: unknown) => error instanceof ConfigError && error.message.includes(name),
    );
  });
}

test('main with a bad setting prints one line naming it and exits 1', () => {
  const result = spawnSync(process.execPath, [MAIN], {
    env: { ...process.env, EDGE_PORT: 'eighty', EDGE_STATIC_ROOT: tmpdir() },
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', /^invalid setting EDGE_PORT: must be an integer 0-65535$/);
});
