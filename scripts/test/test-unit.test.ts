/**
 * How `npm run test:unit` splits its files (scripts/test-unit.ts): every
 * file in exactly one shard, the slow ones spread by their recorded times,
 * a file with no time counted as the median one, and no empty shard when
 * there are fewer files than shards.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shard } from '../test-unit.ts';

const total = (files: string[], seconds: Record<string, number>) =>
  files.reduce((sum, f) => sum + (seconds[f] ?? 0), 0);

test('every file lands in exactly one shard, the slowest ones apart', () => {
  const seconds = { 'tls/a.ts': 20, 'tls/b.ts': 18, 'c.ts': 3, 'd.ts': 2, 'e.ts': 2, 'f.ts': 1 };
  const files = Object.keys(seconds);
  const shards = shard(files, 3, seconds);
  assert.deepEqual(shards.flat().sort(), [...files].sort());
  for (const s of shards) assert.ok(s.filter((f) => f.startsWith('tls/')).length <= 1, String(s));
  // Round-robin by name would give one shard 20 + 2 + 1 and another 18 + 2;
  // longest-first puts everything small beside the third shard.
  assert.deepEqual(
    shards.map((s) => total(s, seconds)),
    [20, 18, 8],
  );
});

test('files with no recorded time weigh as the median, so they do not pile up', () => {
  const seconds = { 'a.ts': 2, 'b.ts': 2 };
  const fresh = ['n1.ts', 'n2.ts', 'n3.ts', 'n4.ts'];
  // Counted as zero, all four would join whichever shard was lightest first.
  assert.deepEqual(shard(['a.ts', 'b.ts', ...fresh], 2, seconds), [
    ['a.ts', 'n1.ts', 'n3.ts'],
    ['b.ts', 'n2.ts', 'n4.ts'],
  ]);
});

test('fewer files than shards: one shard per file, none empty', () => {
  assert.deepEqual(shard(['one.test.ts', 'two.test.ts'], 6), [['one.test.ts'], ['two.test.ts']]);
  assert.deepEqual(shard([], 6), []);
});
