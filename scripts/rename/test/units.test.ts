import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sortLockfilePackages } from '../lockfile.ts';
import { addNote, rewriteLine, rewriteText } from '../rewrite.ts';
import { nameProblem } from '../validate.ts';

describe('nameProblem', () => {
  test('accepts names npm, Docker and Swarm all take', () => {
    for (const name of ['my-shop', 'a', '9lives', 'my_app2', 'a'.repeat(49)]) {
      assert.equal(nameProblem(name), undefined, name);
    }
  });

  test('refuses the rest, naming what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['Acme', /uppercase/],
      ['-x', /starts with "-"/],
      ['_x', /starts with "_"/],
      ['x-', /ends with "-"/],
      ['a..b', /"\."/],
      ['a.b', /"\."/],
      ['a--b', /"--"/],
      ['a_-b', /"_-"/],
      ['a b', /" "/],
      ['a/b', /"\/"/],
      ['a'.repeat(50), /50 characters/],
      ['node_modules', /npm refuses/],
      ['fs', /core module/],
    ];
    for (const [name, reason] of cases) assert.match(nameProblem(name) ?? 'accepted', reason, name);
  });
});

describe('rewriteLine', () => {
  const plan = { from: { name: 'old-name', scope: 'olds' }, to: 'new-one' };

  test('renames the scope, the name in images and labels, and upper case', () => {
    assert.equal(
      rewriteLine("import { x } from '@olds/shared'; // old-name/app:local", plan),
      "import { x } from '@new-one/shared'; // new-one/app:local",
    );
    assert.equal(
      rewriteLine('"@olds": 1, old-name.e2e-swarm', plan),
      '"@new-one": 1, new-one.e2e-swarm',
    );
    assert.equal(rewriteLine('OLD-NAME_IMAGE', plan), 'NEW-ONE_IMAGE');
  });

  test('leaves the bare scope word and longer names alone', () => {
    const line = 'a compose olds, x@olds/y, old-names, xold-name';
    assert.equal(rewriteLine(line, plan), line);
  });

  test('rewrites once when the new name contains the old one', () => {
    const grow = { from: { name: 'shop', scope: 'shop' }, to: 'shop-2' };
    assert.equal(rewriteLine("'@shop/app' shop/app", grow), "'@shop-2/app' shop-2/app");
  });

  test('never rewrites the fork note', () => {
    const text = '# old-name\n\nForked from old-name (renamed with `npm run rename`).\n';
    const { text: out, changes } = rewriteText(text, plan);
    assert.equal(out, '# new-one\n\nForked from old-name (renamed with `npm run rename`).\n');
    assert.deepEqual(changes, [{ line: 1, old: '# old-name', new: '# new-one' }]);
  });
});

describe('addNote', () => {
  test('adds the note under the title once', () => {
    const first = addNote('# new-one\n\nText.\n', 'old-name');
    assert.equal(
      first.text,
      '# new-one\n\nForked from old-name (renamed with `npm run rename`).\n\nText.\n',
    );
    assert.equal(first.change?.line, 3);
    assert.equal(addNote(first.text, 'new-one').change, undefined);
  });
});

describe('sortLockfilePackages', () => {
  test('puts a renamed scope where npm would, and keeps everything else', () => {
    const lock = {
      name: 'acme-shop',
      lockfileVersion: 3,
      packages: {
        '': { name: 'acme-shop' },
        'node_modules/@biomejs/biome': { version: '2.0.0' },
        'node_modules/@acme-shop/app': { resolved: 'services/app', link: true },
        'node_modules/Zed': {},
        'node_modules/fastify': { version: '5.0.0' },
        'services/edge': { dependencies: { '@fastify/send': '^1', '@acme-shop/shared': '*' } },
      },
    };
    const sorted = JSON.parse(sortLockfilePackages(JSON.stringify(lock))) as typeof lock;
    assert.deepEqual(Object.keys(sorted.packages), [
      '',
      'node_modules/@acme-shop/app',
      'node_modules/@biomejs/biome',
      'node_modules/fastify',
      'node_modules/Zed',
      'services/edge',
    ]);
    assert.deepEqual(Object.keys(sorted.packages['services/edge']?.dependencies ?? {}), [
      '@acme-shop/shared',
      '@fastify/send',
    ]);
    assert.deepEqual(sorted, lock);
  });
});
