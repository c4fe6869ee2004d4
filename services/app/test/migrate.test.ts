import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PG_MIGRATE_LOCK_ID } from 'node-pg-migrate';
import { migrationNames } from '../src/db/migrations.ts';
import {
  appEnv,
  createDatabase,
  type Postgres,
  startPostgres,
  withClient,
} from './helpers/postgres.ts';
import { finished, runScript, startScript } from './helpers/process.ts';

let db: Postgres | undefined;

function server(): Postgres {
  if (!db) throw new Error('PostgreSQL did not start');
  return db;
}

async function appliedNames(database: string): Promise<string[]> {
  return withClient(
    server(),
    async (client) => (await client.query('SELECT name FROM pgmigrations ORDER BY id')).rows,
    database,
  ).then((rows) => rows.map((row) => row.name));
}

describe('npm run migrate (real PostgreSQL 17)', () => {
  before(async () => {
    db = await startPostgres();
  });
  after(async () => {
    await db?.stop();
  });

  test('applies every migration to an empty database, then is a no-op', async () => {
    await createDatabase(server(), 'fresh');
    const first = await runScript('migrate.ts', appEnv(server(), 'fresh'));
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(await appliedNames('fresh'), await migrationNames());
    const columns = await withClient(
      server(),
      (client) =>
        client.query(
          `SELECT column_name FROM information_schema.columns
           WHERE table_name = 'entries' ORDER BY ordinal_position`,
        ),
      'fresh',
    );
    assert.deepEqual(
      columns.rows.map((row) => row.column_name),
      ['id', 'author', 'message', 'created_at'],
    );

    const second = await runScript('migrate.ts', {
      ...appEnv(server(), 'fresh'),
      APP_LOG_LEVEL: 'info',
    });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /database is current/);
    assert.deepEqual(await appliedNames('fresh'), await migrationNames());
  });

  test('exits 1 with a one-line reason when a migration fails, recording nothing', async () => {
    await createDatabase(server(), 'clash');
    // A table already in the way makes the first migration's CREATE TABLE fail.
    await withClient(server(), (client) => client.query('CREATE TABLE entries (x int)'), 'clash');
    const result = await runScript('migrate.ts', appEnv(server(), 'clash'));
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'migrate failed: relation "entries" already exists (42P07)\n',
      'one line, the reason, no stack trace',
    );
    assert.deepEqual(await appliedNames('clash'), []);
  });

  test('two runs started at once apply the schema exactly once, both exiting 0', async () => {
    await createDatabase(server(), 'race');
    await withClient(
      server(),
      async (holder) => {
        // Hold node-pg-migrate's own lock so neither run can take it until
        // both are waiting for it: then they really run at the same time.
        await holder.query('SELECT pg_advisory_lock($1)', [PG_MIGRATE_LOCK_ID]);
        const runs = [
          finished(startScript('migrate.ts', appEnv(server(), 'race'))),
          finished(startScript('migrate.ts', appEnv(server(), 'race'))),
        ];
        await waitForLockWaiters(holder, 2);
        await holder.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATE_LOCK_ID]);
        const results = await Promise.all(runs);
        for (const result of results) assert.equal(result.code, 0, result.stderr);
      },
      'race',
    );
    assert.deepEqual(await appliedNames('race'), await migrationNames());
  });
});

async function waitForLockWaiters(
  client: { query: (sql: string) => Promise<{ rows: { waiting: number }[] }> },
  count: number,
) {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
    );
    if (rows[0]?.waiting === count) return;
    await sleep(50);
  }
  throw new Error(`${count} migrate runs never waited for the lock`);
}
