import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import {
  BUILT_SET_DIR,
  buildSet,
  buildStatic,
  STATIC_SOURCE_DIR,
} from '../../src/collectstatic/index.ts';
import { listFiles, snapshot, sources, tempDir, writeTree } from './helpers.ts';

test('the same sources build the same names and bytes, in separate builds and directories', async (t) => {
  const files = { ...sources(1), 'img/photo.png': randomBytes(2048) };
  const [a, b] = [await tempDir(t), await tempDir(t)];
  await writeTree(a, files);
  await writeTree(b, files);
  const [first, second] = [await buildSet(a), await buildSet(b)];
  assert.deepEqual(first.manifest, second.manifest);
  assert.deepEqual([...first.files.keys()], [...second.files.keys()]);
  for (const [path, bytes] of first.files)
    assert.ok(bytes.equals(second.files.get(path) as Buffer), path);

  const [outA, outB] = [join(await tempDir(t), 'out'), join(await tempDir(t), 'out')];
  await buildStatic(a, outA);
  await buildStatic(b, outB);
  const strip = (s: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(s)
        .filter(([path]) => path !== '.')
        .map(([path, v]) => [path, v.split(' ')[0]]),
    );
  assert.deepEqual(strip(await snapshot(outA)), strip(await snapshot(outB)));
});

test('names carry 8 hex of the content hash before the extension', async (t) => {
  const dir = await writeTree(await tempDir(t), {
    'css/app.css': 'body{}',
    'vendor/lib.min.js': 'x',
    LICENSE: 'text',
  });
  const { manifest } = await buildSet(dir);
  assert.match(manifest.files['css/app.css'] ?? '', /^css\/app\.[0-9a-f]{8}\.css$/);
  assert.match(manifest.files['vendor/lib.min.js'] ?? '', /^vendor\/lib\.min\.[0-9a-f]{8}\.js$/);
  assert.match(manifest.files.LICENSE ?? '', /^LICENSE\.[0-9a-f]{8}$/);
  const changed = await buildSet(await writeTree(dir, { 'css/app.css': 'body{color:red}' }));
  assert.notEqual(changed.manifest.files['css/app.css'], manifest.files['css/app.css']);
  assert.equal(changed.manifest.files['vendor/lib.min.js'], manifest.files['vendor/lib.min.js']);
});

test('siblings decode to the source and exist only for compressible types where smaller', async (t) => {
  const big = 'p { margin: 0; }\n'.repeat(200);
  const dir = await writeTree(await tempDir(t), {
    'css/big.css': big,
    'tiny.txt': 'a',
    'img/noise.svg': randomBytes(3000).toString('base64'),
    'img/photo.png': 'p'.repeat(5000),
  });
  const { manifest, files } = await buildSet(dir);
  const css = manifest.files['css/big.css'] as string;
  assert.equal(brotliDecompressSync(files.get(`${css}.br`) as Buffer).toString(), big);
  assert.equal(gunzipSync(files.get(`${css}.gz`) as Buffer).toString(), big);
  for (const [path, bytes] of files) {
    if (!/\.(br|gz)$/.test(path)) continue;
    const original = files.get(path.slice(0, -3)) as Buffer;
    assert.ok(bytes.length < original.length, `${path} is smaller than its original`);
  }
  const tiny = manifest.files['tiny.txt'] as string;
  assert.equal(
    files.has(`${tiny}.gz`),
    false,
    'a 1-byte file gets no gzip sibling: it would be bigger',
  );
  assert.equal(files.has(`${tiny}.br`), false);
  const png = manifest.files['img/photo.png'] as string;
  assert.equal(files.has(`${png}.gz`), false, 'PNG is not a compressible type, however repetitive');
});

test('dotfiles and README.md are not assets; a CSS url() that would not be rewritten is refused', async (t) => {
  const dir = await writeTree(await tempDir(t), {
    'css/app.css': 'body{}',
    'README.md': '# docs',
    '.DS_Store': 'x',
    'img/.hidden/x.svg': '<svg/>',
  });
  assert.deepEqual(Object.keys((await buildSet(dir)).manifest.files), ['css/app.css']);
  await writeTree(dir, { 'css/app.css': 'body{background:url("../img/bg.png")}' });
  await assert.rejects(
    buildSet(dir),
    /css\/app\.css: reference "\.\.\/img\/bg\.png" would not be rewritten/,
  );
  await writeTree(dir, { 'css/app.css': 'body{background:url(data:image/png;base64,AAAA)}' });
  await buildSet(dir);
});

test('the real static sources build into a set with the CSS, script, logo and favicon', async (t) => {
  const out = join(await tempDir(t), 'static');
  const { manifest } = await buildStatic(STATIC_SOURCE_DIR, out);
  assert.deepEqual(Object.keys(manifest.files).sort(), [
    'css/app.css',
    'favicon.svg',
    'img/logo.svg',
    'js/app.js',
  ]);
  const files = await listFiles(out);
  for (const hashed of Object.values(manifest.files)) {
    assert.ok(files.includes(hashed), hashed);
    assert.ok(files.includes(`${hashed}.br`), `${hashed}.br`);
  }
  assert.equal(BUILT_SET_DIR.endsWith(join('app', 'dist', 'static')), true);
});
