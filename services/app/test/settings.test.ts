import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runScript } from './helpers/process.ts';

const GOOD = { DATABASE_URL: 'postgres://app:pw@127.0.0.1:1/app' };

function assertOneLine(stderr: string, line: string) {
  assert.equal(stderr, `${line}\n`, 'exactly one line, and no stack trace');
}

describe('a bad setting at start', () => {
  test('main prints one line naming the setting and exits 1', async () => {
    const result = await runScript('main.ts', { ...GOOD, APP_PORT: 'eighty' });
    assert.equal(result.code, 1);
    assertOneLine(result.stderr, 'invalid setting APP_PORT: must be an integer 1-65535');
    assert.equal(result.stdout, '');
  });

  test('main prints one line when the database is not configured at all', async () => {
    const result = await runScript('main.ts', {});
    assert.equal(result.code, 1);
    assertOneLine(
      result.stderr,
      'missing setting PGHOST: set DATABASE_URL, or PGHOST and the other PG* parts',
    );
  });

  test('migrate prints one line naming the setting and exits 1', async () => {
    const result = await runScript('migrate.ts', { ...GOOD, APP_DB_POOL_MAX: '0' });
    assert.equal(result.code, 1);
    assertOneLine(result.stderr, 'invalid setting APP_DB_POOL_MAX: must be an integer 1-1000');
  });

  test('migrate exits 1 with the reason when the database cannot be reached', async () => {
    const result = await runScript('migrate.ts', GOOD);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^migrate failed: .*ECONNREFUSED.*\n$/);
  });
});
