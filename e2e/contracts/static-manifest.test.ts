import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest as appParse } from '../../services/app/src/collectstatic/manifest.ts';
import { manifestNames } from '../../services/edge/src/static/table.ts';

// The edge reads what collectstatic writes: the same text is accepted or
// refused by both, with the same one-line reason.
test('the edge and collectstatic accept and refuse the same manifests', () => {
  const good = '{"version": 1, "files": {"css/app.css": "css/app.3f9a1c2b.css"}}';
  assert.deepEqual(manifestNames(good, 'm'), Object.values(appParse(good, 'm').files));
  for (const bad of [
    '{"version": 1, "files": {"a": "../outside/secret.txt"}}',
    '{"version": 1, "files": {}, "extra": true}',
    '{"version": 2, "files": {}}',
    '{"version": 1, "files": {"css/app.css": "css/app.css"}}',
  ]) {
    const appError = (() => {
      try {
        appParse(bad, 'm');
      } catch (e) {
        return (e as Error).message;
      }
      return assert.fail(`collectstatic accepted ${bad}`);
    })();
    assert.throws(() => manifestNames(bad, 'm'), { message: appError }, bad);
  }
});
