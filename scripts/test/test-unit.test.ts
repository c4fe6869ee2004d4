/**
 * How `npm run test:unit` splits its files (scripts/test-unit.ts): every
 * file in exactly one shard, one folder's files spread over the shards,
 * and no empty shard when there are fewer files than shards.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shard } from '../test-unit.ts';

test('every file lands in exactly one shard, a folder spread round-robin', () => {
  const files = ['b/2.test.ts', 'a/1.test.ts', 'tls/x.test.ts', 'tls/y.test.ts', 'tls/z.test.ts'];
  const shards = shard(files, 3);
  assert.deepEqual(shards.flat().sort(), [...files].sort());
  for (const s of shards) assert.ok(s.filter((f) => f.startsWith('tls/')).length <= 1, String(s));
});

test('fewer files than shards: one shard per file, none empty', () => {
  assert.deepEqual(shard(['one.test.ts', 'two.test.ts'], 6), [['one.test.ts'], ['two.test.ts']]);
  assert.deepEqual(shard([], 6), []);
});
