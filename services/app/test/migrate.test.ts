import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PG_MIGRATE_LOCK_ID } from 'node-pg-migrate';
import { migrationNames } from '../src/db/migrations.ts';
import { appEnv, freePort, type Postgres, startPostgres, withClient } from './helpers/postgres.ts';
import { finished, runScript, startScript } from './helpers/process.ts';

/** An empty database of the test's own (in the run's shared server), dropped after it. */
async function emptyDatabase(t: TestContext): Promise<Postgres> {
  const db = await startPostgres();
  t.after(() => db.stop());
  return db;
}

async function appliedNames(db: Postgres): Promise<string[]> {
  return withClient(
    db,
    async (client) => (await client.query('SELECT name FROM pgmigrations ORDER BY id')).rows,
  ).then((rows) => rows.map((row) => row.name));
}

// Each test has a database of its own, so they run side by side.
describe('npm run migrate (real PostgreSQL 17)', { concurrency: true }, () => {
  test('applies every migration to an empty database, then is a no-op', async (t) => {
    const db = await emptyDatabase(t);
    const first = await runScript('migrate.ts', appEnv(db));
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(await appliedNames(db), await migrationNames());
    const columns = await withClient(db, (client) =>
      client.query(
        `SELECT column_name FROM information_schema.columns
         WHERE table_name = 'entries' ORDER BY ordinal_position`,
      ),
    );
    assert.deepEqual(
      columns.rows.map((row) => row.column_name),
      [
        'id',
        'author',
        'message',
        'created_at',
        'image_path',
        'image_type',
        'image_width',
        'image_height',
        'thumb_path',
        'thumb_width',
        'thumb_height',
        'image_name',
        'original_path',
        'original_key_hash',
      ],
    );

    const second = await runScript('migrate.ts', { ...appEnv(db), APP_LOG_LEVEL: 'info' });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /database is current/);
    assert.deepEqual(await appliedNames(db), await migrationNames());
  });

  test('exits 1 with a one-line reason when a migration fails, recording nothing', async (t) => {
    const db = await emptyDatabase(t);
    // A table already in the way makes the first migration's CREATE TABLE fail.
    await withClient(db, (client) => client.query('CREATE TABLE entries (x int)'));
    const result = await runScript('migrate.ts', appEnv(db));
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'migrate failed: relation "entries" already exists (42P07)\n',
      'one line, the reason, no stack trace',
    );
    assert.deepEqual(await appliedNames(db), []);
  });

  test('two runs started at once apply the schema exactly once, both exiting 0', async (t) => {
    const db = await emptyDatabase(t);
    await withClient(db, async (holder) => {
      // Hold node-pg-migrate's own lock so neither run can take it until
      // both are waiting for it: then they really run at the same time.
      await holder.query('SELECT pg_advisory_lock($1)', [PG_MIGRATE_LOCK_ID]);
      const runs = [
        finished(startScript('migrate.ts', appEnv(db))),
        finished(startScript('migrate.ts', appEnv(db))),
      ];
      await waitForLockWaiters(holder, 2);
      await holder.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATE_LOCK_ID]);
      const results = await Promise.all(runs);
      for (const result of results) assert.equal(result.code, 0, result.stderr);
    });
    assert.deepEqual(await appliedNames(db), await migrationNames());
  });
  describe('APP_DB_WAIT_MS: a database that is not up yet (Swarm starts both at once)', {
    concurrency: true,
  }, () => {
    /** `db`'s URL on 127.0.0.1:`port`: where nothing listens, or a forwarder will. */
    const urlOnPort = (db: Postgres, port: number) => {
      const url = new URL(db.getConnectionUri());
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    };

    test('waits until the database accepts connections, then migrates', async (t) => {
      const db = await emptyDatabase(t);
      const port = await freePort();
      const server = new URL(db.getConnectionUri());
      const target = { host: server.hostname, port: Number(server.port) };
      // Nothing listens until the script has been refused and says it waits,
      // as while PostgreSQL runs initdb. (A fixed delay was outlasted by the
      // script's own start on a loaded machine: it never saw a refusal.)
      let forwarder: Server | undefined;
      t.after(() => {
        forwarder?.close();
      });
      const child = startScript('migrate.ts', {
        DATABASE_URL: urlOnPort(db, port),
        APP_DB_WAIT_MS: '20000',
        APP_LOG_LEVEL: 'info',
      });
      let said = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        said += chunk;
        if (forwarder || !/waiting for the database/.test(said)) return;
        forwarder = createServer((socket) => {
          const upstream = connect(target);
          socket.pipe(upstream).pipe(socket);
          socket.on('error', () => upstream.destroy());
          upstream.on('error', () => socket.destroy());
        }).listen(port, '127.0.0.1');
      });
      const result = await finished(child);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /waiting for the database \(APP_DB_WAIT_MS\)/);
      assert.match(result.stdout, /ECONNREFUSED/);
      assert.deepEqual(await appliedNames(db), await migrationNames());
    });

    test('without it, a refused connection fails at once with one line', async (t) => {
      const result = await runScript('migrate.ts', {
        DATABASE_URL: urlOnPort(await emptyDatabase(t), await freePort()),
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^migrate failed: .*ECONNREFUSED.*\n$/);
      assert.doesNotMatch(result.stdout, /waiting for the database/);
    });

    test('gives up after it, naming the last reason', async (t) => {
      const url = urlOnPort(await emptyDatabase(t), await freePort());
      const started = Date.now();
      const result = await runScript('migrate.ts', {
        DATABASE_URL: url,
        APP_DB_WAIT_MS: '1500',
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^migrate failed: .*ECONNREFUSED.*\n$/);
      const seconds = (Date.now() - started) / 1000;
      // It waited (≥ 1.5 s) and then gave up; the upper bound only says it
      // did not wait on and on (CI saw 10.3 s on a machine at load 10,
      // most of it starting Node).
      assert.ok(seconds >= 1.5 && seconds < 30, `gave up after ${seconds} s`);
    });

    test('a wrong password is not waited for: time will not fix it', async (t) => {
      const url = new URL((await emptyDatabase(t)).getConnectionUri());
      url.password = 'wrong';
      const started = Date.now();
      const result = await runScript('migrate.ts', {
        DATABASE_URL: url.toString(),
        APP_DB_WAIT_MS: '120000',
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^migrate failed: password authentication failed.*\(28P01\)\n$/);
      // A third of the wait: a loaded CI machine took 16–18 s to start the
      // script and be refused, and a waited-out run would take 120 s.
      assert.ok(Date.now() - started < 40_000, 'failed at once, not after the wait');
    });
  });
});

async function waitForLockWaiters(
  client: { query: (sql: string) => Promise<{ rows: { waiting: number }[] }> },
  count: number,
) {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const { rows } = await client.query(
      // Advisory locks are per database; the shared server holds other files' too.
      `SELECT count(*)::int AS waiting FROM pg_locks
       WHERE locktype = 'advisory' AND NOT granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    if (rows[0]?.waiting === count) return;
    await sleep(50);
  }
  throw new Error(`${count} migrate runs never waited for the lock`);
}
