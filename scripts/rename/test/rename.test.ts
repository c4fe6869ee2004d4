import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { detectCurrent } from '../detect.ts';
import { NOTE_PATTERN } from '../rewrite.ts';
import { changed, copyRepo, grep, readJson, rename, SOURCE, stage, targets } from './helpers.ts';

// Read, not assumed: the tests must keep passing in a fork renamed already.
const current = detectCurrent(SOURCE);
const [FIRST, THIRD] = targets(current.name);

function workspaceNames(dir: string): string[] {
  const workspaces = readJson(dir, 'package.json').workspaces as string[];
  return workspaces.map((workspace) => String(readJson(dir, `${workspace}/package.json`).name));
}

/** Lines still naming `name`, the README's fork note aside. */
function leftovers(dir: string, name: string): string[] {
  return grep(dir, '-i', '-F', name).filter(
    (line) => !NOTE_PATTERN.test(line.replace(/^[^:]+:\d+:/, '')),
  );
}

describe('renaming a copy of this repository', () => {
  let dir = '';
  let remove = () => {};
  before(() => {
    ({ dir, remove } = copyRepo());
  });
  after(() => remove());

  test('renames the project name and the scope everywhere', () => {
    const run = rename(dir, FIRST);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /: \d+ files, \d+ lines changed\n/);
    assert.equal(readJson(dir, 'package.json').name, FIRST);
    for (const name of workspaceNames(dir)) assert.match(name, new RegExp(`^@${FIRST}/`));
    assert.deepEqual(leftovers(dir, current.name), []);
    assert.deepEqual(grep(dir, '-F', `@${current.scope}/`), []);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    assert.match(readme, new RegExp(`^# ${FIRST}\n`));
    assert.equal(readme.split('\n').filter((line) => NOTE_PATTERN.test(line)).length, 1);
    const compose = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    assert.ok(compose.includes(`\${APP_IMAGE:-${FIRST}/app:local}`));
    const settings = readFileSync(join(dir, 'scripts/swarm/settings.ts'), 'utf8');
    assert.ok(settings.includes(`process.env.SWARM_STACK || '${FIRST}'`));
    const swarm = readFileSync(join(dir, 'e2e/src/swarm.ts'), 'utf8');
    assert.ok(swarm.includes(`'${FIRST}.e2e-swarm-node'`));
  });

  test('leaves the word stack alone', () => {
    assert.ok(
      readFileSync(join(dir, 'compose.swarm.yaml'), 'utf8').includes('docker stack deploy'),
    );
    assert.ok(grep(dir, '-w', 'stack').length > 10);
  });

  test('keeps the lockfile consistent with the manifests', () => {
    const lock = readJson(dir, 'package-lock.json');
    assert.equal(lock.name, FIRST);
    const packages = lock.packages as Record<string, { name?: string; link?: boolean }>;
    assert.equal(packages['']?.name, FIRST);
    const links = Object.keys(packages).filter((key) => packages[key]?.link);
    assert.deepEqual(
      links.sort(),
      workspaceNames(dir)
        .map((name) => `node_modules/${name}`)
        .sort(),
    );
  });

  test('a second run with the same name changes nothing and says so', () => {
    stage(dir);
    const run = rename(dir, FIRST);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /nothing to change/);
    assert.equal(changed(dir), '');
  });

  test('renames again to a third name, the fork note kept', () => {
    const run = rename(dir, THIRD);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(leftovers(dir, FIRST), []);
    assert.deepEqual(grep(dir, '-F', `@${FIRST}/`), []);
    assert.deepEqual(leftovers(dir, current.name), []);
    assert.equal(readJson(dir, 'package.json').name, THIRD);
    for (const name of workspaceNames(dir)) assert.match(name, new RegExp(`^@${THIRD}/`));
    const notes = grep(dir, '-E', NOTE_PATTERN.source);
    assert.equal(notes.length, 1, notes.join('\n'));
  });
});
