/**
 * The database failing under a running stack, and two migrations racing.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { exec, execNode, waitHealthy } from '../../src/containers.ts';
import { CREATE, createBody, JSON_HEADERS, listPath, TABLE } from '../../src/domain.ts';
import { assertErrorResponse, BYPASS_CACHE, eventually } from '../../src/http.ts';
import { ROOT } from '../../src/paths.ts';
import type { Stack } from '../../src/stack.ts';
import { useStack } from '../../src/suite.ts';

/** `psql -tA` in the db container; one line per row, `|` between columns. */
async function psql(stack: Stack, database: string, sql: string): Promise<string> {
  const db = await stack.container('db');
  const { exitCode, stdout, stderr } = await exec(db, [
    'psql',
    '--username=app',
    `--dbname=${database}`,
    '--no-psqlrc',
    '--set=ON_ERROR_STOP=1',
    '--tuples-only',
    '--no-align',
    '--command',
    sql,
  ]);
  assert.equal(exitCode, 0, stderr);
  return stdout.trim();
}

/** What each app replica is: a restarted or recreated one would differ. */
async function appIdentities(stack: Stack): Promise<string[]> {
  const identities: string[] = [];
  for (const info of await stack.containers('app')) {
    const { Id, State, RestartCount } = await stack.docker.getContainer(info.Id).inspect();
    identities.push(`${Id} ${State.StartedAt} ${RestartCount}`);
  }
  return identities;
}

describe('the database failing', () => {
  const stack = useStack('faults-db');

  test('db stopped → /readyz and the API answer 503; both recover when db starts, app untouched', async () => {
    const before = await appIdentities(stack());
    const db = await stack().container('db');
    await db.stop({ t: 10 });
    try {
      // The app itself says why, and the edge passes its answer on: with
      // every replica failing /readyz the edge routes to all of them anyway
      // (panic mode) rather than answer its own no_upstream.
      const app = await stack().container('app');
      const inside = await eventually(async () => {
        const { stdout } = await execNode(
          app,
          `const res = await fetch('http://127.0.0.1:3000/readyz');
           console.log(JSON.stringify({ status: res.status, body: await res.json() }));`,
        );
        const seen = JSON.parse(stdout) as { status: number; body: { code: string } };
        assert.equal(seen.status, 503);
        return seen;
      });
      assert.equal(inside.body.code, 'db_unavailable');
      const codes = ['db_unavailable'];
      const ready = await assertErrorResponse(await fetch(stack().url('/readyz')), [503], codes);
      // Past the edge's cache, which would answer a read it kept (stale-if-error).
      const read = await fetch(stack().url(listPath()), { headers: BYPASS_CACHE });
      const list = await assertErrorResponse(read, [503], codes);
      const post = await fetch(stack().url(CREATE.path), {
        method: CREATE.method,
        headers: JSON_HEADERS,
        body: createBody('Nobody', 'the database is down'),
      });
      const posted = await assertErrorResponse(post, [503], codes);
      console.log(
        `# db stopped, through the edge: /readyz ${ready.code}, GET ${list.code}, POST ${posted.code}`,
      );
    } finally {
      await db.start();
    }
    await waitHealthy(db);
    await eventually(
      async () => {
        const ready = await fetch(stack().url('/readyz'));
        assert.equal(ready.status, 200, await ready.text());
        const list = await fetch(stack().url(listPath()), { headers: BYPASS_CACHE });
        assert.equal(list.status, 200, await list.text());
      },
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(await appIdentities(stack()), before, 'no app replica was restarted');
  });

  test('two `migrate` runs at once on an empty database apply the schema once', async () => {
    await psql(stack(), 'app', 'CREATE DATABASE racing');
    const migrate = () =>
      stack().run('run', '--rm', '--no-deps', '--env', 'PGDATABASE=racing', 'migrate');
    // Both must exit 0: `run` rejects on a non-zero exit.
    await Promise.all([migrate(), migrate()]);
    const files = (await readdir(join(ROOT, 'services/app/migrations')))
      .filter((name) => name.endsWith('.sql'))
      .map((name) => name.replace(/\.sql$/, ''))
      .sort();
    assert.ok(files.length >= 1);
    const applied = await psql(
      stack(),
      'racing',
      'SELECT name, count(*) FROM pgmigrations GROUP BY name ORDER BY name',
    );
    assert.deepEqual(
      applied.split('\n'),
      files.map((name) => `${name}|1`),
    );
    assert.equal(await psql(stack(), 'racing', `SELECT to_regclass('public.${TABLE}')`), TABLE);
  });
});
