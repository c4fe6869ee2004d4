import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hashedName,
  hashOfName,
  isHashedName,
  isSafeRelativePath,
  ManifestError,
  parseManifest,
  serializeManifest,
} from '../src/static-manifest.ts';

test('the manifest format: version 1, sorted files, trailing newline, parsed back as written', () => {
  const text = serializeManifest({
    version: 1,
    files: { 'js/app.js': 'js/app.0badc0de.js', 'css/app.css': 'css/app.3f9a1c2b.css' },
  });
  assert.equal(
    text,
    '{\n  "version": 1,\n  "files": {\n    "css/app.css": "css/app.3f9a1c2b.css",\n    "js/app.js": "js/app.0badc0de.js"\n  }\n}\n',
  );
  const manifest = parseManifest(text, 'x');
  assert.deepEqual(manifest, JSON.parse(text));
  assert.ok(Object.isFrozen(manifest) && Object.isFrozen(manifest.files));
});

test('a malformed manifest is a one-line ManifestError naming the source and the reason', () => {
  const cases: [string, RegExp][] = [
    ['{"version": 1, "files": {', /invalid JSON/],
    ['[]', /expected an object/],
    ['null', /expected an object/],
    ['{"version": 2, "files": {}}', /"version" must be 1, got 2/],
    ['{"files": {}}', /"version" must be 1, got undefined/],
    ['{"version": 1}', /"files" must be an object/],
    ['{"version": 1, "files": []}', /"files" must be an object/],
    ['{"version": 1, "files": {}, "extra": true}', /unexpected key "extra"/],
    ['{"version": 1, "files": {"css/app.css": 42}}', /files\["css\/app\.css"\] must be the name/],
    ['{"version": 1, "files": {"css/app.css": "css/other.3f9a1c2b.css"}}', /must be the name/],
    ['{"version": 1, "files": {"css/app.css": "css/app.3F9A1C2B.css"}}', /8-hex hash/],
    ['{"version": 1, "files": {"../etc/passwd": "../etc/passwd.3f9a1c2b"}}', /unsafe name/],
    ['{"version": 1, "files": {"/abs.css": "/abs.3f9a1c2b.css"}}', /unsafe name/],
    ['{"version": 1, "files": {".collectstatic/x": ".collectstatic/x.3f9a1c2b"}}', /unsafe name/],
    ['{"version": 1, "files": {"a\\\\b.css": "a\\\\b.3f9a1c2b.css"}}', /unsafe name/],
  ];
  for (const [text, reason] of cases) {
    const error = (() => {
      try {
        parseManifest(text, '/static/manifest.json');
      } catch (e) {
        return e as Error;
      }
      return assert.fail(`accepted ${text}`);
    })();
    assert.ok(error instanceof ManifestError, text);
    assert.ok(
      error.message.startsWith('/static/manifest.json: not a collectstatic manifest: '),
      error.message,
    );
    assert.match(error.message, reason);
    assert.doesNotMatch(error.message, /\n/);
  }
});

test('hashedName puts the hash before the last extension; hashOfName reads it back', () => {
  const cases: [string, string][] = [
    ['css/app.css', 'css/app.3f9a1c2b.css'],
    ['LICENSE', 'LICENSE.3f9a1c2b'],
    ['vendor/lib.min.js', 'vendor/lib.min.3f9a1c2b.js'],
    ['a.b/c', 'a.b/c.3f9a1c2b'],
  ];
  for (const [name, hashed] of cases) {
    assert.equal(hashedName(name, '3f9a1c2b'), hashed);
    assert.equal(hashOfName(name, hashed), '3f9a1c2b');
    assert.ok(isHashedName(hashed), hashed);
    assert.ok(isHashedName(`${hashed}.br`) && isHashedName(`${hashed}.gz`), hashed);
  }
  assert.equal(hashOfName('css/app.css', 'css/app.css'), undefined);
  assert.equal(hashOfName('css/app.css', 'css/app.3f9a1c2.css'), undefined);
  assert.equal(hashOfName('css/app.css', 'css/app.3f9a1c2b.js'), undefined);
});

test('isHashedName: the pattern decides, on the base name only', () => {
  for (const rel of ['css/app.css', 'robots.txt', 'app.3f9a1c2b/x.css', 'app.3f9a1c2.css']) {
    assert.equal(isHashedName(rel), false, rel);
  }
  assert.equal(isHashedName('old/app.deadbeef.css'), true);
});

test('isSafeRelativePath refuses escapes, absolute paths, dotfiles and control characters', () => {
  assert.ok(isSafeRelativePath('css/app.css'));
  for (const path of [
    '',
    '/a',
    'a//b',
    '../a',
    'a/./b',
    '.env',
    'a\\b',
    'a\nb',
    'x'.repeat(1025),
  ]) {
    assert.equal(isSafeRelativePath(path), false, JSON.stringify(path));
  }
});
