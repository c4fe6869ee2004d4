/**
 * The database and media volumes outlive their containers: written records,
 * and the image one carries, are still there after `stop`/`start` and after
 * `down` (without `-v`) and `up`; the reused media volume takes new uploads.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { waitHealthy } from '../src/containers.ts';
import {
  CREATE,
  type DomainRecord,
  fileUrlsOf,
  postRecordWithFile,
  recordPath,
} from '../src/domain.ts';
import { eventually } from '../src/http.ts';
import type { Stack } from '../src/stack.ts';
import { useStack } from '../src/suite.ts';
import { png } from '../src/upload-files.ts';

const IMAGE = png(120, 90);

async function createWithImage(stack: Stack, label: string): Promise<DomainRecord> {
  const res = await postRecordWithFile(stack.url, label, {
    name: 'kept.png',
    type: 'image/png',
    data: IMAGE,
  });
  assert.equal(res.status, CREATE.status, await res.clone().text());
  const { id } = (await res.json()) as DomainRecord;
  // As a read answers it: the create answer may carry more (a secret link).
  const read = await fetch(stack.url(recordPath(id)));
  assert.equal(read.status, 200);
  return (await read.json()) as DomainRecord;
}

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
  const files = fileUrlsOf(record);
  assert.equal(files.length, 2, 'the record carries an image and its thumbnail');
  for (const file of files) {
    const served = await fetch(stack.url(file));
    assert.equal(served.status, 200, `${file} after the restart`);
  }
}

describe('persistence of the database volume', () => {
  const stack = useStack('persist');
  let record: DomainRecord;

  before(async () => {
    record = await createWithImage(stack(), 'Persistent');
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
    // The reused volume (not seeded again) is still writable by the app's user.
    const another = await createWithImage(stack(), 'After up');
    assert.deepEqual(fileUrlsOf(another), fileUrlsOf(record), 'the same bytes, the same names');
    const fresh = await postRecordWithFile(stack().url, 'After up', {
      name: 'new.png',
      type: 'image/png',
      data: png(60, 60),
    });
    assert.equal(fresh.status, CREATE.status, await fresh.clone().text());
  });
});
