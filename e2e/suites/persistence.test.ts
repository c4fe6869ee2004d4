/**
 * The database volume outlives its containers: written records are still
 * there after `stop`/`start` and after `down` (without `-v`) and `up`.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { waitHealthy } from '../src/containers.ts';
import { createRecord, type DomainRecord, recordPath } from '../src/domain.ts';
import { eventually } from '../src/http.ts';
import type { Stack } from '../src/stack.ts';
import { useStack } from '../src/suite.ts';

/** The record, read through the edge once the restarted stack serves again. */
async function readBack(stack: Stack, record: DomainRecord): Promise<void> {
  await stack.refreshOrigin();
  const res = await eventually(
    async () => {
      const res = await fetch(stack.url(recordPath(record.id)));
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      return res;
    },
    { timeoutMs: 30_000 },
  );
  assert.deepEqual(await res.json(), record);
}

describe('persistence of the database volume', () => {
  const stack = useStack('persist');
  let record: DomainRecord;

  before(async () => {
    record = await createRecord(stack().url, 'Persistent', 'written before the restarts');
  });

  test('a record survives stopping and starting every container', async () => {
    const dbBefore = await (await stack().container('db')).inspect();
    await stack().run('stop', '--timeout', '5');
    const stopped = await (await stack().container('db')).inspect();
    assert.equal(stopped.State.Running, false, 'db was stopped');
    await stack().run('start');
    for (const service of ['db', 'app', 'edge']) {
      await waitHealthy(await stack().container(service));
    }
    const dbAfter = await (await stack().container('db')).inspect();
    assert.equal(dbAfter.Id, dbBefore.Id, 'the same container, started again');
    await readBack(stack(), record);
  });

  test('a record survives `down` without -v and `up`', async () => {
    const dbBefore = await (await stack().container('db')).inspect();
    await stack().run('down', '--timeout', '5');
    assert.equal((await stack().containers()).length, 0, 'down removed every container');
    await stack().run('up', '--detach', '--wait', '--wait-timeout', '120');
    const dbAfter = await (await stack().container('db')).inspect();
    assert.notEqual(dbAfter.Id, dbBefore.Id, 'a new db container, on the old volume');
    await readBack(stack(), record);
  });
});
