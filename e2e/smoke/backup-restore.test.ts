/**
 * scripts/backup.sh and scripts/restore.sh against real stacks: what one
 * stack held, rows and an uploaded image, a fresh stack holds after the
 * restore.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import {
  CREATE,
  createRecord,
  type DomainRecord,
  fileUrlsOf,
  listedRecords,
  listPath,
  postRecordWithFile,
} from '../src/domain.ts';
import { BYPASS_CACHE } from '../src/http.ts';
import { ROOT } from '../src/paths.ts';
import { startStack } from '../src/stack.ts';
import { png } from '../src/upload-files.ts';

const run = promisify(execFile);

async function rows(origin: (path: string) => string) {
  // Past the edge's cache: a read kept from before the restore is still
  // served for a while (restore.sh says so), and this checks the database.
  const res = await fetch(origin(listPath({ limit: 100 })), { headers: BYPASS_CACHE });
  assert.equal(res.status, 200);
  return listedRecords(await res.json());
}

test('a backup restored into a fresh stack gives the same rows and uploaded files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'e2e-backup-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dump = join(dir, 'stack.dump');

  const source = await startStack('backup');
  t.after(() => source.down());
  for (const label of ['Ada', 'Grace', 'Edsger']) {
    await createRecord(source.url, label, `kept by ${label}`);
  }
  const posted = await postRecordWithFile(source.url, 'Photographer', {
    name: 'kept.png',
    type: 'image/png',
    data: png(80, 60),
  });
  assert.equal(posted.status, CREATE.status);
  const files = fileUrlsOf((await posted.json()) as DomainRecord);
  const bytes = await Promise.all(files.map((file) => fetchBytes(source.url(file))));
  const before = await rows(source.url);
  await run('scripts/backup.sh', [dump], {
    cwd: ROOT,
    env: { ...process.env, COMPOSE_PROJECT_NAME: source.project },
  });
  assert.ok((await stat(dump)).size > 0);
  await source.down();

  const target = await startStack('restore');
  t.after(() => target.down());
  assert.deepEqual(await rows(target.url), [], 'a fresh stack starts empty');
  await run('scripts/restore.sh', [dump], {
    cwd: ROOT,
    env: { ...process.env, COMPOSE_PROJECT_NAME: target.project },
  });
  assert.deepEqual(await rows(target.url), before);
  for (const [i, file] of files.entries()) {
    assert.deepEqual(await fetchBytes(target.url(file)), bytes[i], `${file} restored`);
  }
});

async function fetchBytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return Buffer.from(await res.arrayBuffer());
}
