/**
 * collectstatic against a static volume mounted read-only (a mistake in a
 * fork's compose file, or a volume driver gone read-only): one line naming
 * the path and "read-only file system", exit 1, and the set already in the
 * volume untouched. The unit tests cover the other bad DIRs; this one needs
 * a real read-only mount, which Docker gives without privileges.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { runOnce } from '../src/containers.ts';
import { docker } from '../src/stack.ts';

const IMAGE = process.env.APP_IMAGE ?? 'ts-deploy-stack/app:local';
const VOLUME = `e2e-collectstatic-ro-${randomBytes(3).toString('hex')}`;
const OUT = '/srv/static';

/** Runs `command` in the app image with the volume at OUT; its exit code and output. */
const run = (command: string[], mode: 'rw' | 'ro') =>
  runOnce(docker, IMAGE, command, {
    ReadonlyRootfs: true,
    NetworkMode: 'none',
    Binds: [`${VOLUME}:${OUT}:${mode}`],
  });

const collect = (mode: 'rw' | 'ro', out = OUT) =>
  run(['node', 'services/app/src/collectstatic/cli.ts', '--out', out], mode);
/** The volume's files with size and mtime, and the manifest's bytes. */
const snapshot = () =>
  run(
    ['sh', '-c', `cd ${OUT} && find . -type f -printf '%p %s %T@\\n' | sort && cat manifest.json`],
    'ro',
  );

before(async () => {
  await docker.createVolume({ Name: VOLUME, Labels: { 'e2e.suite': 'smoke' } });
});

after(async () => {
  await docker.getVolume(VOLUME).remove({ force: true });
});

test('collectstatic on a read-only static volume: one line, exit 1, the current set untouched', async () => {
  const first = await collect('rw');
  assert.equal(first.code, 0, first.text);
  const before = await snapshot();
  assert.equal(before.code, 0, before.text);
  assert.match(before.text, /"version":\s*1/);

  // The lock in OUT is the first write; a DIR below OUT fails at its mkdir.
  for (const [out, action] of [
    [OUT, 'lock'],
    [`${OUT}/sub/dir`, 'create'],
  ]) {
    const refused = await collect('ro', out);
    assert.equal(refused.code, 1, refused.text);
    assert.equal(
      refused.text,
      `collectstatic: cannot ${action} ${out}: read-only file system (EROFS)`,
    );
  }
  assert.deepEqual(await snapshot(), before);
});
