import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { buildSet, collect } from '../../src/collectstatic/index.ts';
import {
  listFiles,
  setDir,
  setOf,
  sources,
  startCli,
  tempDir,
  unresolvedNames,
  writeTree,
} from './helpers.ts';

/** A set big enough that copying it takes a while: 160 incompressible files of 256 KiB. */
async function bigSet(root: string) {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 160; i += 1)
    files[`media/blob-${String(i).padStart(3, '0')}.bin`] = randomBytes(256 * 1024);
  return buildSet(await writeTree(root, { ...sources(2), ...files }));
}

test('a run killed mid-copy leaves the old manifest resolving every name, and the next run completes', async (t) => {
  const out = join(await tempDir(t), 'static');
  await collect(await setOf(t, sources(1)), out);
  const oldManifest = await readFile(join(out, 'manifest.json'), 'utf8');
  const big = await bigSet(await tempDir(t));
  const from = await setDir(t, big);

  const { child, done } = startCli(['--out', out, '--from', from]);
  t.after(() => child.kill('SIGKILL'));
  // Kill as soon as the new set has begun to land in media/.
  for (let waited = 0; ; waited += 5) {
    const landed = await readdir(join(out, 'media')).catch(() => []);
    if (landed.length >= 3) break;
    assert.ok(waited < 60_000, 'the copy started within a minute');
    await setTimeout(5);
  }
  child.kill('SIGKILL');
  const result = await done;
  assert.equal(result.signal, 'SIGKILL');

  assert.equal(await readFile(join(out, 'manifest.json'), 'utf8'), oldManifest);
  assert.deepEqual(await unresolvedNames(out), []);
  const landed = (await listFiles(out)).filter(
    (path) => path.startsWith('media/') && !path.includes('.tmp-'),
  );
  assert.ok(
    landed.length > 0 && landed.length < 160,
    `killed midway: ${landed.length} of 160 copied`,
  );
  t.diagnostic(`killed after ${landed.length} of 160 large files`);

  // The killed run's lock is broken once stale; its temp files are swept.
  const summary = await collect(big, out, { lockStaleMs: 2000 });
  assert.equal(summary.unchanged >= landed.length, true);
  assert.deepEqual(await unresolvedNames(out), []);
  assert.equal((await readFile(join(out, 'manifest.json'), 'utf8')) === oldManifest, false);
  assert.deepEqual(
    (await listFiles(out)).filter((path) => path.includes('.tmp-')),
    [],
  );
  assert.deepEqual(await readdir(join(out, '.collectstatic')), ['history.json'], 'lock released');
});
