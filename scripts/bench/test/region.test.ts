import assert from 'node:assert/strict';
import { test } from 'node:test';
import { END, replaceRegion, START } from '../report.ts';

test('the region between the markers is replaced, the hand-written text around it stays', () => {
  const file = `# Benchmarks\n\nHow to read it.\n\n${START}\nold run\n${END}\n\n## Measured decisions\n\nkept\n`;
  const once = replaceRegion(file, 'new run');
  assert.equal(
    once,
    `# Benchmarks\n\nHow to read it.\n\n${START}\nnew run\n${END}\n\n## Measured decisions\n\nkept\n`,
  );
  assert.equal(replaceRegion(once, 'new run'), once);
});

test('no markers: the region is appended and nothing is lost', () => {
  const file = '# Benchmarks\n\nhand-written log\n\n';
  assert.equal(
    replaceRegion(file, 'run'),
    `# Benchmarks\n\nhand-written log\n\n${START}\nrun\n${END}\n`,
  );
  assert.equal(replaceRegion(undefined, 'run\n'), `${START}\nrun\n${END}\n`);
});

test('a lone, doubled or misordered marker is refused, not guessed at', () => {
  for (const file of [
    `a\n${START}\nb\n`,
    `a\n${END}\nb\n`,
    `${END}\nx\n${START}\n`,
    `${START}\n${END}\n${START}\n${END}\n`,
  ]) {
    assert.throws(() => replaceRegion(file, 'run'), /expected one/);
  }
});
