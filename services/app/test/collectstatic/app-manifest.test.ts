import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { assetUrl, loadManifest, staticManifest } from '../../src/collectstatic/index.ts';
import { sources, tempDir, unresolvedNames, writeTree } from './helpers.ts';

test('in development the app builds the set at start and renders with its manifest', async (t) => {
  const source = await writeTree(await tempDir(t), sources(1));
  const setDir = join(await tempDir(t), 'dist', 'static');
  const manifest = await staticManifest({ build: true, sourceDir: source, setDir });
  assert.deepEqual(await loadManifest(setDir), manifest);
  assert.deepEqual(await unresolvedNames(setDir), []);
  assert.match(assetUrl(manifest, 'css/app.css'), /^\/static\/css\/app\.[0-9a-f]{8}\.css$/);
});

test('in production a missing baked-in set is one line saying how to build it', async (t) => {
  const setDir = join(await tempDir(t), 'dist', 'static');
  await assert.rejects(staticManifest({ build: false, setDir }), {
    name: 'CollectstaticError',
    message: `${join(setDir, 'manifest.json')}: no built static set; run "npm run collectstatic -w @stack/app -- build" (the image build does)`,
  });
});
