import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { getContainerRuntimeClient } from 'testcontainers';
import { useAppOnPostgres } from './helpers/app-on-postgres.ts';
import { migrate, type PostgresServer, withClient } from './helpers/postgres.ts';

// A fixed host port: the app keeps its DATABASE_URL across the restart.
// Not migrated: the first test checks readiness before migrate runs.
const stack = useAppOnPostgres({
  migrate: false,
  fixedHostPort: true,
  env: { APP_DB_CONNECT_TIMEOUT_MS: '1000' },
});
// fixedHostPort: always a container of its own, which the test restarts.
const server = () => stack.db() as PostgresServer;

async function get(url: string) {
  return stack.app().inject({ url });
}

/** Polls until `url` answers `status` (the pool notices a change on its next query). */
async function eventually(url: string, status: number) {
  let last = 0;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    last = (await get(url)).statusCode;
    if (last === status) return;
    await sleep(100);
  }
  assert.fail(`${url} stayed ${last}, never ${status}: ${(await get(url)).body}`);
}

describe('readiness and a database outage (real PostgreSQL 17)', () => {
  test('before migrate: /readyz is 503 migrations_pending and the API a generic 500', async () => {
    const ready = await get('/readyz');
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().code, 'migrations_pending');
    assert.match(ready.json().message, /1764201600000_create-entries/);

    // The table is missing: a bug-class error, answered without its detail.
    const list = await get('/api/entries');
    assert.equal(list.statusCode, 500);
    assert.equal(list.json().code, 'internal_error');
    assert.doesNotMatch(list.body, /entries" does not exist|42P01/);
  });

  test('after migrate: /readyz is 200, and stays 200 with a newer migration it does not know', async () => {
    await migrate(server());
    assert.equal((await get('/readyz')).statusCode, 200);
    await withClient(server(), (client) =>
      client.query(
        `INSERT INTO pgmigrations (name, run_on) VALUES ('9999999999999_from-a-newer-build', now())`,
      ),
    );
    const res = await get('/readyz');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ready' });
  });

  test('database stopped: /readyz and the API answer 503 db_unavailable; restarted: both recover', async () => {
    const runtime = await getContainerRuntimeClient();
    const container = runtime.container.getById(server().getId());
    await runtime.container.stop(container, { timeout: 10 });

    for (const url of ['/readyz', '/api/entries']) {
      const res = await get(url);
      assert.equal(res.statusCode, 503, url);
      assert.equal(res.json().code, 'db_unavailable', url);
    }

    // restart() waits for PostgreSQL's health check again.
    await server().restart();
    await eventually('/readyz', 200);
    const created = await stack.app().inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author: 'after', message: 'the outage' },
    });
    assert.equal(created.statusCode, 201);
    assert.equal((await get('/api/entries')).statusCode, 200);
  });
});
