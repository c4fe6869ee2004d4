import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  assetUrl,
  CollectstaticError,
  loadManifest,
  parseManifest,
  readSet,
} from '../../src/collectstatic/index.ts';
import { setDir, setOf, sources, tempDir } from './helpers.ts';

test('assetUrl gives the hashed URL and throws a clear error for an unknown name', () => {
  const manifest = parseManifest(
    '{"version": 1, "files": {"css/app.css": "css/app.3f9a1c2b.css"}}',
    'm',
  );
  assert.equal(assetUrl(manifest, 'css/app.css'), '/static/css/app.3f9a1c2b.css');
  assert.equal(
    assetUrl(manifest, 'css/app.css', 'https://cdn.example/'),
    'https://cdn.example/css/app.3f9a1c2b.css',
  );
  assert.throws(() => assetUrl(manifest, 'css/missing.css'), {
    name: 'CollectstaticError',
    message: 'unknown static file "css/missing.css"; known: css/app.css',
  });
  assert.throws(() => assetUrl(manifest, 'toString'), CollectstaticError);
});

test('a malformed manifest is a one-line error naming the file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'manifest.json');
  // The full list of refusals is the contract's (services/shared/test/static-manifest.test.ts).
  const cases: [string, RegExp][] = [
    ['{"version": 1, "files": {', /invalid JSON/],
    ['{"version": 1, "files": {}, "extra": true}', /unexpected key "extra"/],
    ['{"version": 1, "files": {"../etc/passwd": "../etc/passwd.3f9a1c2b"}}', /unsafe name/],
  ];
  for (const [text, reason] of cases) {
    await writeFile(path, text);
    const error = await loadManifest(dir).then(
      () => assert.fail(`accepted ${text}`),
      (e: Error) => e,
    );
    assert.ok(error instanceof CollectstaticError, text);
    assert.ok(error.message.startsWith(`${path}: not a collectstatic manifest: `), error.message);
    assert.match(error.message, reason);
    assert.doesNotMatch(error.message, /\n/);
  }
  await assert.rejects(loadManifest(join(dir, 'nowhere')), {
    message: `cannot read manifest ${join(dir, 'nowhere', 'manifest.json')}: does not exist (ENOENT)`,
  });
});

test('reading a built set refuses a file whose bytes no longer match its hashed name', async (t) => {
  const set = await setOf(t, sources(1));
  const dir = await setDir(t, set);
  assert.deepEqual((await readSet(dir)).manifest, set.manifest);
  const css = set.manifest.files['css/app.css'] as string;
  await writeFile(join(dir, css), 'tampered');
  await assert.rejects(readSet(dir), {
    message: `${join(dir, css)}: content does not match the hash in its name`,
  });
});

test('reading a built set refuses a sibling that does not decode to its file', async (t) => {
  const set = await setOf(t, sources(1));
  const dir = await setDir(t, set);
  const js = set.manifest.files['js/app.js'] as string;
  await writeFile(join(dir, `${js}.gz`), 'not gzip');
  await assert.rejects(readSet(dir), { message: `${join(dir, js)}.gz: does not decode` });
});
