/**
 * `/media/`: user uploads from EDGE_MEDIA_ROOT. Every answer carries
 * nosniff and the sandboxing CSP; allow-listed images are `inline` with
 * their type, anything else `attachment` as octet-stream; the static
 * suite's traversal attempts never leave the root; the app's `.tmp/` is
 * unreachable; validators, ranges and 304s as for static files.
 */
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { get, makeStaticRoot, SECRET, startEdge, testConfig, write } from './helpers.ts';

const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(100, 7),
]);
const IMAGE = `images/${'a'.repeat(64)}.png`;

async function mediaEdge(t: TestContext) {
  const { root, outside } = await makeStaticRoot(t);
  const media = join(root, '..', 'media');
  await write(media, IMAGE, PNG_BYTES);
  await write(media, `thumbs/${'b'.repeat(64)}.webp`, 'RIFF....WEBP');
  await write(media, 'images/page.html', '<script>alert(1)</script>');
  await write(media, 'images/logo.svg', '<svg><script>alert(1)</script></svg>');
  await write(media, '.tmp/upload-half', 'half an upload');
  await write(media, '%2e%2e/double.txt', 'literal');
  await symlink('/etc/passwd', join(media, 'passwd.png'));
  await symlink(join(outside, 'secret.txt'), join(media, 'secret.png'));
  await symlink(outside, join(media, 'linked-dir'));
  return startEdge(t, testConfig(root, { mediaRoot: media }));
}

function assertSafe(headers: Record<string, unknown>, where: string) {
  assert.equal(headers['x-content-type-options'], 'nosniff', where);
  assert.equal(headers['content-security-policy'], "default-src 'none'; sandbox", where);
}

test('an image is served inline with its type, the user-file headers, validators and ranges', async (t) => {
  const { port } = await mediaEdge(t);
  const full = await get(port, `/media/${IMAGE}`);
  assert.equal(full.status, 200);
  assert.deepEqual(full.body, PNG_BYTES);
  assertSafe(full.headers, '200');
  assert.equal(full.headers['content-type'], 'image/png');
  assert.equal(full.headers['content-disposition'], 'inline');
  assert.equal(full.headers['cache-control'], 'public, max-age=3600');
  assert.equal(full.headers.vary, undefined);
  const etag = full.headers.etag as string;
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);

  const notModified = await get(port, `/media/${IMAGE}`, { 'if-none-match': etag });
  assert.equal(notModified.status, 304);
  assertSafe(notModified.headers, '304');
  const part = await get(port, `/media/${IMAGE}`, { range: 'bytes=0-7' });
  assert.equal(part.status, 206);
  assert.deepEqual(part.body, PNG_BYTES.subarray(0, 8));
  assert.equal(part.headers['content-range'], `bytes 0-7/${PNG_BYTES.length}`);
  assertSafe(part.headers, '206');
  const head = await get(port, `/media/${IMAGE}`, {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  const thumb = await get(port, `/media/thumbs/${'b'.repeat(64)}.webp`);
  assert.equal(thumb.headers['content-type'], 'image/webp');
});

test('anything not an allow-listed image is an attachment of no type a browser renders', async (t) => {
  const { port } = await mediaEdge(t);
  for (const path of ['/media/images/page.html', '/media/images/logo.svg']) {
    const answer = await get(port, path);
    assert.equal(answer.status, 200, path);
    assert.equal(answer.headers['content-type'], 'application/octet-stream', path);
    assert.equal(answer.headers['content-disposition'], 'attachment', path);
    assertSafe(answer.headers, path);
  }
});

const ATTEMPTS: [path: string, status: number][] = [
  ['/media/../package.json', 404],
  ['/media/images/../../static/robots.txt', 404],
  ['/media/%2e%2e/static/robots.txt', 404],
  ['/media/..%2fstatic%2frobots.txt', 404],
  ['/media/..%5cstatic%5crobots.txt', 404],
  ['/media/%252e%252e/secret.txt', 404],
  ['/media/.tmp/upload-half', 404], // the app's temporaries: a dotfile directory
  ['/media/%2etmp/upload-half', 404],
  ['/media/images/%2e%2e/.tmp/upload-half', 404],
  ['/media/passwd.png', 404],
  ['/media/secret.png', 404],
  ['/media/linked-dir/secret.txt', 404],
  ['/media/images/', 404], // no listing
  ['/media/', 404],
  ['/media/images/x.png%00.txt', 400],
  ['/media/%zz', 400],
  ['/media/%c0%ae%c0%ae/secret.txt', 400],
];

test('traversal, dotfiles, symlinks and listings never leave or show the media root', async (t) => {
  const { port } = await mediaEdge(t);
  for (const [path, status] of ATTEMPTS) {
    const answer = await get(port, path);
    assert.equal(answer.status, status, path);
    const text = answer.body.toString('utf8');
    assert.ok(!text.includes(SECRET) && !text.includes('root:x:0:0'), `${path} leaked`);
    assert.ok(!text.includes('half an upload'), `${path} showed a temporary`);
    assertSafe(answer.headers, path);
  }
});

test('only GET and HEAD: a POST to /media/ is 405 and never proxied', async (t) => {
  const { port } = await mediaEdge(t);
  const answer = await get(port, `/media/${IMAGE}`, {}, 'POST');
  assert.equal(answer.status, 405);
});

test("without EDGE_MEDIA_ROOT, /media/ is the app's (here: no upstream)", async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port } = await startEdge(t, testConfig(root));
  const answer = await get(port, `/media/${IMAGE}`);
  assert.ok(answer.status === 502 || answer.status === 503, String(answer.status));
});
