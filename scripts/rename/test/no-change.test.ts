import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { detectCurrent } from '../detect.ts';
import { changed, copyRepo, rename, SOURCE, targets } from './helpers.ts';

const current = detectCurrent(SOURCE);
const [FIRST] = targets(current.name);

describe('runs that change nothing', () => {
  let dir = '';
  let remove = () => {};
  before(() => {
    ({ dir, remove } = copyRepo());
  });
  after(() => remove());

  test('--dry-run lists each line it would change and writes nothing', () => {
    const run = rename(dir, '--dry-run', FIRST);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    const summary = lines.pop() ?? '';
    const counts = summary.match(/would change (\d+) files, (\d+) lines/);
    assert.ok(counts, summary);
    assert.equal(lines.length, Number(counts[2]));
    assert.ok(
      lines.includes(`package.json:2: "name": "${current.name}", → "name": "${FIRST}",`),
      'the root name line is listed',
    );
    assert.ok(lines.every((line) => /^[^:]+:\d+: .* → .*$/.test(line)));
    assert.equal(changed(dir), '');
  });

  for (const [label, name] of [
    ['uppercase', 'Acme'],
    ['a leading dash', '-x'],
    ['a doubled dot', 'a..b'],
    ['empty', ''],
    ['too long', 'a'.repeat(215)],
    ['a word already in the files', 'app'],
  ]) {
    test(`a name with ${label} exits 1 with one line, nothing changed`, () => {
      const run = rename(dir, name as string);
      assert.equal(run.status, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^rename: [^\n]+\n$/);
      assert.equal(changed(dir), '');
    });
  }
});
