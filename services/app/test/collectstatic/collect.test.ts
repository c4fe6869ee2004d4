import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, serializeManifest } from '../../src/collectstatic/index.ts';
import {
  listFiles,
  runCli,
  setDir,
  setOf,
  snapshot,
  sources,
  tempDir,
  unresolvedNames,
  writeTree,
} from './helpers.ts';

test('every hashed file is in place before manifest.json is renamed in, and that rename is last', async (t) => {
  const dir = join(await tempDir(t), 'static');
  const old = await setOf(t, sources(1));
  await collect(old, dir);
  const oldManifest = await readFile(join(dir, 'manifest.json'), 'utf8');
  const next = await setOf(t, sources(2));
  const renames: string[] = [];
  await collect(next, dir, {
    beforeRename: async (path) => {
      renames.push(path);
      // Observed on disk, not taken from the code's word: while files land,
      // the old manifest is live and resolves; when the manifest's turn
      // comes, every file of the new set is already there.
      assert.equal(await readFile(join(dir, 'manifest.json'), 'utf8'), oldManifest);
      assert.deepEqual(await unresolvedNames(dir), []);
      if (path === 'manifest.json') {
        const present = await listFiles(dir);
        for (const file of next.files.keys()) assert.ok(present.includes(file), file);
      }
    },
  });
  assert.equal(renames.at(-1), 'manifest.json');
  assert.equal(renames.filter((path) => path === 'manifest.json').length, 1);
  assert.equal(
    await readFile(join(dir, 'manifest.json'), 'utf8'),
    serializeManifest(next.manifest),
  );
});

test('a rerun changes nothing: same bytes, same mtimes, no temp files, and says so', async (t) => {
  const from = await setDir(t, await setOf(t, sources(1)));
  const out = join(await tempDir(t), 'static');
  const first = await runCli(['--out', out, '--from', from]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /: 9 copied, 0 unchanged, 0 kept .*, 0 pruned, manifest replaced\n$/);
  const before = await snapshot(out);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = await runCli(['--out', out, '--from', from]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout.split('\n').length, 2, 'one summary line');
  assert.match(
    second.stdout,
    /: 0 copied, 9 unchanged, 0 kept .*, 0 pruned, manifest unchanged\n$/,
  );
  assert.deepEqual(await snapshot(out), before);
  assert.deepEqual(
    (await listFiles(out)).filter((path) => path.includes('.tmp-') || path.endsWith('/lock')),
    [],
  );
});

test('from a plain checkout (no built set) the CLI builds the set from --source', async (t) => {
  const src = await tempDir(t);
  await writeTree(src, sources(3));
  const out = join(await tempDir(t), 'static');
  const result = await runCli(['--out', out, '--source', src]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\(built from /);
  assert.deepEqual(await unresolvedNames(out), []);
});
