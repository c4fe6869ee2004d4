import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, type StaticSet, setId } from '../../src/collectstatic/index.ts';
import { listFiles, setOf, sources, tempDir, unresolvedNames } from './helpers.ts';

const uniqueFiles = (set: StaticSet, others: StaticSet[]) =>
  [...set.files.keys()].filter((path) => !others.some((other) => other.files.has(path)));

test('the files of the previous 3 sets are kept and older ones pruned, never a file the current set names', async (t) => {
  const dir = join(await tempDir(t), 'static');
  const sets: StaticSet[] = [];
  for (let version = 1; version <= 6; version += 1) sets.push(await setOf(t, sources(version)));

  for (const [index, set] of sets.entries()) {
    if (index === 1) await writeFile(join(dir, 'robots.txt'), 'not ours\n');
    const summary = await collect(set, dir);
    const present = new Set(await listFiles(dir));
    assert.deepEqual(await unresolvedNames(dir), [], `set ${index + 1} is live and resolves`);
    const retained = sets.slice(Math.max(0, index - 3), index + 1);
    for (const kept of retained) {
      for (const path of kept.files.keys())
        assert.ok(present.has(path), `set ${index + 1}: keeps ${path}`);
    }
    for (const old of sets.slice(0, Math.max(0, index - 3))) {
      for (const path of uniqueFiles(old, retained)) {
        assert.ok(!present.has(path), `set ${index + 1}: pruned ${path}`);
      }
    }
    // The logo never changes: it belongs to every set, so pruning old sets never takes it.
    assert.ok(present.has(set.manifest.files['img/logo.svg'] as string));
    assert.ok(
      present.has('robots.txt') || index === 0,
      'a file collectstatic did not write is left alone',
    );
    const history = JSON.parse(await readFile(join(dir, '.collectstatic', 'history.json'), 'utf8'));
    assert.deepEqual(
      history.sets.map((record: { id: string }) => record.id),
      retained.map(setId).reverse(),
    );
    if (index >= 4) assert.equal(summary.pruned, 6, 'css and js of one set, each with .br and .gz');
    assert.equal(summary.kept, Math.min(index, 3) * 6);
  }
});

test('keep: 0 leaves only the current set; a set collected again moves to the front without copying', async (t) => {
  const dir = join(await tempDir(t), 'static');
  const [a, b] = [await setOf(t, sources(1)), await setOf(t, sources(2))];
  await collect(a, dir);
  await collect(b, dir);
  const again = await collect(a, dir, { keep: 0 });
  assert.equal(again.copied, 0, 'set a was still there');
  assert.equal(again.pruned, 6);
  assert.deepEqual(
    await listFiles(dir),
    ['.collectstatic/history.json', ...[...a.files.keys()], 'manifest.json'].sort(),
  );
});
