import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, type StaticSet, setId } from '../../src/collectstatic/index.ts';
import {
  listFiles,
  setDir,
  setOf,
  sources,
  startCli,
  tempDir,
  unresolvedNames,
} from './helpers.ts';

test('two runs started at once with different sets both succeed, and DIR ends consistent', async (t) => {
  const out = join(await tempDir(t), 'static');
  const previous: StaticSet[] = [];
  for (let version = 1; version <= 3; version += 1) {
    previous.push(await setOf(t, sources(version)));
    await collect(previous.at(-1) as StaticSet, out);
  }
  const [x, y] = [await setOf(t, sources(10)), await setOf(t, sources(11))];
  const [fromX, fromY] = [await setDir(t, x), await setDir(t, y)];

  const runs = [
    startCli(['--out', out, '--from', fromX]),
    startCli(['--out', out, '--from', fromY]),
  ];
  t.after(() => {
    for (const run of runs) run.child.kill('SIGKILL');
  });
  const results = await Promise.all(runs.map((run) => run.done));
  for (const result of results) assert.equal(result.code, 0, result.stderr);

  assert.deepEqual(await unresolvedNames(out), []);
  const live = await readFile(join(out, 'manifest.json'), 'utf8');
  const winner = [x, y].find(
    (set) => JSON.stringify(set.manifest.files) === JSON.stringify(JSON.parse(live).files),
  );
  assert.ok(winner, 'the live manifest is one of the two sets, whole');
  const loser = winner === x ? y : x;

  // Neither run lost the other's update: both sets are recorded, the loser
  // as the previous set, and the oldest set fell out of retention.
  const history = JSON.parse(await readFile(join(out, '.collectstatic', 'history.json'), 'utf8'));
  assert.deepEqual(
    history.sets.map((record: { id: string }) => record.id),
    [winner, loser, previous[2], previous[1]].map((set) => setId(set as StaticSet)),
  );
  const present = new Set(await listFiles(out));
  for (const path of [...x.files.keys(), ...y.files.keys()]) assert.ok(present.has(path), path);
  const oldest = previous[0] as StaticSet;
  assert.ok(!present.has(oldest.manifest.files['css/app.css'] as string), 'set 1 pruned');
  assert.deepEqual(
    [...present].filter((path) => path.includes('.tmp-')),
    [],
  );
  assert.deepEqual(await readdir(join(out, '.collectstatic')), ['history.json'], 'lock released');
});

test('two runs of the same set at once: both succeed, one copies and the other finds it done', async (t) => {
  const out = join(await tempDir(t), 'static');
  const set = await setOf(t, sources(1));
  const from = await setDir(t, set);
  const runs = [startCli(['--out', out, '--from', from]), startCli(['--out', out, '--from', from])];
  t.after(() => {
    for (const run of runs) run.child.kill('SIGKILL');
  });
  const results = await Promise.all(runs.map((run) => run.done));
  for (const result of results) assert.equal(result.code, 0, result.stderr);
  const copied = results.map((result) => Number(/: (\d+) copied/.exec(result.stdout)?.[1]));
  assert.deepEqual(copied.sort(), [0, 9]);
  assert.deepEqual(await unresolvedNames(out), []);
});
