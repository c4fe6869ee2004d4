import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pkg from '../package.json' with { type: 'json' };
import { ConfigError, loadConfig } from '../src/config.ts';

const URL_ENV = { DATABASE_URL: 'postgres://app:pw@db:5432/app' };

function secretFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'app-config-')), 'secret');
  writeFileSync(path, content);
  return path;
}

function rejects(env: Record<string, string>, message: string) {
  assert.throws(
    () => loadConfig(env),
    (error) => error instanceof ConfigError && error.message === message,
  );
}

describe('config', () => {
  test('fills every default and returns a frozen object', () => {
    const config = loadConfig(URL_ENV);
    assert.deepEqual(
      { ...config },
      {
        port: 3000,
        database: { connectionString: URL_ENV.DATABASE_URL },
        dbPoolMax: 10,
        dbConnectTimeoutMs: 5000,
        dbStatementTimeoutMs: 10_000,
        dbWaitMs: 0,
        trustedProxies: [],
        drainMs: 5000,
        logLevel: 'info',
        version: pkg.version,
        env: 'production',
        mediaRoot: '',
        mediaMaxBytes: 8 * 1024 ** 2,
        mediaMaxPixels: 40_000_000,
        mediaSweepGraceMs: 3_600_000,
      },
    );
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.trustedProxies));
  });

  test('reads numbers, lists and the version label from the environment', () => {
    const config = loadConfig({
      ...URL_ENV,
      APP_PORT: '8000',
      APP_DB_POOL_MAX: '4',
      APP_DRAIN_MS: '0',
      APP_TRUSTED_PROXIES: ' 10.0.0.0/8, 172.18.0.3 ,fd00::/8',
      APP_LOG_LEVEL: 'warn',
      APP_VERSION: '2026.11.27-abc123',
    });
    assert.equal(config.port, 8000);
    assert.equal(config.dbPoolMax, 4);
    assert.equal(config.drainMs, 0);
    assert.deepEqual(config.trustedProxies, ['10.0.0.0/8', '172.18.0.3', 'fd00::/8']);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.version, '2026.11.27-abc123');
  });

  test('treats an empty value as unset', () => {
    assert.equal(loadConfig({ ...URL_ENV, APP_PORT: '' }).port, 3000);
  });

  test('builds the connection from PG* parts, the password from PGPASSWORD_FILE', () => {
    const config = loadConfig({
      PGHOST: 'db',
      PGUSER: 'guestbook',
      PGPASSWORD_FILE: secretFile('s3cret\n'),
    });
    assert.deepEqual(config.database, {
      host: 'db',
      port: 5432,
      user: 'guestbook',
      database: 'guestbook',
      password: 's3cret',
    });
  });

  test('reads DATABASE_URL from DATABASE_URL_FILE', () => {
    const config = loadConfig({ DATABASE_URL_FILE: secretFile(URL_ENV.DATABASE_URL) });
    assert.deepEqual(config.database, { connectionString: URL_ENV.DATABASE_URL });
  });

  test('names the setting and what it accepts when a value is bad', () => {
    rejects(
      { ...URL_ENV, APP_PORT: 'http' },
      'invalid setting APP_PORT: must be an integer 1-65535',
    );
    rejects(
      { ...URL_ENV, APP_PORT: '70000' },
      'invalid setting APP_PORT: must be an integer 1-65535',
    );
    rejects(
      { ...URL_ENV, APP_LOG_LEVEL: 'loud' },
      'invalid setting APP_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
    );
    rejects(
      { ...URL_ENV, APP_TRUSTED_PROXIES: '10.0.0.0/33' },
      'invalid setting APP_TRUSTED_PROXIES: "10.0.0.0/33" is not an IP address, a CIDR (prefix 0-32 for IPv4, 0-128 for IPv6) or one of loopback, linklocal, uniquelocal',
    );
    rejects(
      { ...URL_ENV, APP_MEDIA_ROOT: 'srv/media' },
      'invalid setting APP_MEDIA_ROOT: must be an absolute path',
    );
    rejects(
      { ...URL_ENV, APP_MEDIA_MAX_PIXELS: '0' },
      'invalid setting APP_MEDIA_MAX_PIXELS: must be an integer 1-268435456',
    );
  });

  test('refuses a DATABASE_URL that is not postgres, without echoing it', () => {
    rejects(
      { DATABASE_URL: 'mysql://root:hunter2@db/app' },
      'invalid setting DATABASE_URL: must be a postgres:// or postgresql:// URL',
    );
  });

  test('asks for PGHOST when no DATABASE_URL is set', () => {
    rejects({}, 'missing setting PGHOST: set DATABASE_URL, or PGHOST and the other PG* parts');
  });

  test('refuses a secret given both ways, and a secret file it cannot read', () => {
    rejects(
      { PGHOST: 'db', PGPASSWORD: 'a', PGPASSWORD_FILE: secretFile('b') },
      'invalid setting PGPASSWORD_FILE: set either PGPASSWORD or PGPASSWORD_FILE, not both',
    );
    rejects(
      { PGHOST: 'db', PGPASSWORD_FILE: '/nonexistent/pw' },
      'invalid setting PGPASSWORD_FILE: cannot read /nonexistent/pw (ENOENT)',
    );
  });
  describe('a committed placeholder password (docker/dev-secrets/)', () => {
    const PG = { PGHOST: 'db', PGUSER: 'app' };
    const refused = (setting: string) =>
      `invalid setting ${setting}: is a committed development placeholder ("dev-only-..."): use a secret of your own, or set APP_ALLOW_DEV_SECRETS=true on a development machine`;

    test('is refused by default, from a file, a variable or a URL, without showing it', () => {
      rejects(
        { ...PG, PGPASSWORD_FILE: secretFile('dev-only-password-change-me\n') },
        refused('PGPASSWORD_FILE'),
      );
      rejects({ ...PG, PGPASSWORD: 'dev-only-x' }, refused('PGPASSWORD'));
      rejects({ DATABASE_URL: 'postgres://app:dev-only-x@db/app' }, refused('DATABASE_URL'));
      // Percent-encoded in the URL is the same password.
      rejects({ DATABASE_URL: 'postgres://app:dev%2Donly-x@db/app' }, refused('DATABASE_URL'));
      rejects(
        { DATABASE_URL_FILE: secretFile('postgres://app:dev-only-x@db/app') },
        refused('DATABASE_URL_FILE'),
      );
    });

    test('is accepted in an explicit development mode', () => {
      const env = { ...PG, PGPASSWORD: 'dev-only-x' };
      const allowed = loadConfig({ ...env, APP_ALLOW_DEV_SECRETS: 'true' });
      assert.deepEqual(allowed.database, {
        host: 'db',
        port: 5432,
        user: 'app',
        database: 'app',
        password: 'dev-only-x',
      });
      assert.equal(loadConfig({ ...env, APP_ENV: 'development' }).env, 'development');
      rejects({ ...env, APP_ALLOW_DEV_SECRETS: 'false' }, refused('PGPASSWORD'));
    });

    test('a real password needs no allowance, and the allowance is a boolean', () => {
      assert.ok(loadConfig({ ...PG, PGPASSWORD: 'correct horse battery staple' }));
      assert.ok(loadConfig({ ...PG, PGPASSWORD: 'x-dev-only-' }), 'only a prefix marks one');
      rejects(
        { ...URL_ENV, APP_ALLOW_DEV_SECRETS: 'maybe' },
        'invalid setting APP_ALLOW_DEV_SECRETS: must be true or false',
      );
    });
  });
});
