import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect } from '../../src/collectstatic/index.ts';
import { type CliResult, runCli, setDir, setOf, snapshot, sources, tempDir } from './helpers.ts';

function assertOneLineFailure(result: CliResult, message: RegExp) {
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^collectstatic: [^\n]+\n$/, 'exactly one line');
  assert.doesNotMatch(result.stderr, /\bat .+:\d+:\d+/, 'no stack trace');
  assert.match(result.stderr, message);
}

test('DIR that is a file, or a path under a file, fails with one line and exit 1', async (t) => {
  const root = await tempDir(t);
  const from = await setDir(t, await setOf(t, sources(1)));
  const file = join(root, 'file');
  await writeFile(file, 'keep me\n');
  assertOneLineFailure(
    await runCli(['--out', file, '--from', from]),
    /cannot use .*\/file: not a directory/,
  );
  assertOneLineFailure(
    await runCli(['--out', join(file, 'static'), '--from', from]),
    /cannot use .*\/file\/static: a parent of it is not a directory \(ENOTDIR\)/,
  );
});

// Tests run as root, for whom a chmod'ed directory stays writable; so the
// CLI runs as `nobody` there (and as the user, against a 0555 DIR, otherwise).
// A read-only file system gives EROFS on the same code path.
test('DIR the process cannot write fails with one line, exit 1, and the previous set intact', async (t) => {
  const root = await tempDir(t);
  await chmod(root, 0o755);
  const out = join(root, 'static');
  await collect(await setOf(t, sources(1)), out);
  const from = await setDir(t, await setOf(t, sources(2)));
  await chmod(join(from, '..'), 0o755);
  await chmod(out, 0o555);
  const before = await snapshot(out);
  const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const result = await runCli(['--out', out, '--from', from], asOther);
  assertOneLineFailure(result, /cannot lock .*\/static: permission denied \(EACCES\)/);
  assert.deepEqual(await snapshot(out), before);
});

test('a malformed manifest in DIR or in the set fails with one line naming it, DIR untouched', async (t) => {
  const out = join(await tempDir(t), 'static');
  const from = await setDir(t, await setOf(t, sources(1)));
  await collect(await setOf(t, sources(2)), out);
  await writeFile(join(out, 'manifest.json'), '{"version": 1, "files": []}\n');
  const before = await snapshot(out);
  assertOneLineFailure(
    await runCli(['--out', out, '--from', from]),
    /static\/manifest\.json: not a collectstatic manifest: "files" must be an object/,
  );
  assert.deepEqual(await snapshot(out), before);

  const fresh = join(await tempDir(t), 'static');
  await writeFile(join(from, 'manifest.json'), 'not json');
  assertOneLineFailure(
    await runCli(['--out', fresh, '--from', from]),
    /set\/manifest\.json: not a collectstatic manifest: invalid JSON/,
  );
});

test('bad arguments fail with one line and the usage', async () => {
  assertOneLineFailure(await runCli([]), /--out DIR is required; usage: /);
  assertOneLineFailure(
    await runCli(['--out', '/x', '--keep', 'many']),
    /--keep must be a whole number/,
  );
  assertOneLineFailure(await runCli(['deploy']), /unexpected argument "deploy"/);
});
