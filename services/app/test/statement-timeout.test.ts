/**
 * APP_DB_STATEMENT_TIMEOUT_MS against a real lock: while another session
 * holds `entries` (as a migration's ALTER TABLE does), a request answers
 * 503 db_unavailable within the timeout instead of waiting on the lock until
 * the edge gives up with a 504; once the lock is gone it is served again.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { useAppOnPostgres } from './helpers/app-on-postgres.ts';
import { databaseUrl } from './helpers/postgres.ts';

const TIMEOUT_MS = 300;
const RELEASE_MS = 5000;
const stack = useAppOnPostgres({ env: { APP_DB_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS) } });

describe('a statement timeout (real PostgreSQL 17)', () => {
  test('a table locked by another session: 503 db_unavailable in about the timeout, then 200', {
    timeout: 15_000,
  }, async () => {
    const locker = new pg.Client({ connectionString: databaseUrl(stack.db()) });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE entries IN ACCESS EXCLUSIVE MODE');
      // Released after RELEASE_MS whatever happens: without the timeout the request
      // would wait on the lock for ever; with this it ends, late, and fails.
      const release = setTimeout(() => void locker.query('ROLLBACK').catch(() => {}), RELEASE_MS);
      const started = performance.now();
      const blocked = await stack.app().inject({ url: '/api/entries' });
      const ms = performance.now() - started;
      clearTimeout(release);
      assert.equal(blocked.statusCode, 503, blocked.body);
      assert.equal(blocked.json().code, 'db_unavailable');
      // Before the lock's release, however loaded the machine: a request that
      // waited for it would have got its 200 then, not this 503.
      assert.ok(ms >= TIMEOUT_MS && ms < RELEASE_MS, `answered after ${ms.toFixed(0)} ms`);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const served = await stack.app().inject({ url: '/api/entries' });
    assert.equal(served.statusCode, 200);
  });
});
