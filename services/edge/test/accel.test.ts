/**
 * X-Accel-Redirect through the whole edge: the app answers a permitted
 * request with `X-Accel-Redirect: /_protected/<path>` and no body, and the
 * edge sends the file from EDGE_PROTECTED_ROOT with the app's type and
 * disposition; a value outside the prefix or escaping the root is a
 * logged 502; a client asking for /_protected/ directly gets 404.
 */
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { get, makeStaticRoot, SECRET, startEdge, testConfig, write } from './helpers.ts';
import { startUpstream, upstreamUrl } from './proxy/helpers.ts';

const ORIGINAL = Buffer.from('original bytes of an upload, as it was sent');

async function accelEdge(t: TestContext) {
  const { root, outside } = await makeStaticRoot(t);
  const protectedRoot = join(root, '..', 'protected');
  await mkdir(protectedRoot);
  await write(protectedRoot, 'originals/abc.png', ORIGINAL);
  await write(protectedRoot, '.hidden', SECRET);
  await symlink(join(outside, 'secret.txt'), join(protectedRoot, 'out.png'));
  const upstream = await startUpstream(t, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    // The app's permission check: the right key, or 403 from the app itself.
    if (url.pathname === '/original') {
      if (url.searchParams.get('key') !== 'right') {
        res.writeHead(403, { 'content-type': 'application/json' }).end('{"code":"forbidden"}');
        return;
      }
      res.writeHead(200, {
        'x-accel-redirect': '/_protected/originals/abc.png',
        'content-type': 'image/png',
        'content-disposition': 'attachment; filename="mine.png"',
      });
      res.end();
      return;
    }
    res.writeHead(200, { 'x-accel-redirect': url.searchParams.get('to') ?? '' }).end();
  });
  const running = await startEdge(
    t,
    testConfig(root, { upstream: upstreamUrl(upstream.port, '127.0.0.1'), protectedRoot }),
  );
  return { ...running, upstream };
}

test("a permitted request gets the protected file from the edge, with the app's type and disposition", async (t) => {
  const { port } = await accelEdge(t);
  const answer = await get(port, '/original?key=right');
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, ORIGINAL);
  assert.equal(answer.headers['content-type'], 'image/png');
  assert.equal(answer.headers['content-disposition'], 'attachment; filename="mine.png"');
  assert.equal(answer.headers['x-content-type-options'], 'nosniff');
  assert.equal(answer.headers['content-security-policy'], "default-src 'none'; sandbox");
  assert.equal(answer.headers['cache-control'], 'private, no-cache');
  assert.equal(
    answer.headers['x-accel-redirect'],
    undefined,
    'the header never reaches the client',
  );
  const part = await get(port, '/original?key=right', { range: 'bytes=0-7' });
  assert.equal(part.status, 206);
  assert.deepEqual(part.body, ORIGINAL.subarray(0, 8));
  const again = await get(port, '/original?key=right', {
    'if-none-match': answer.headers.etag as string,
  });
  assert.equal(again.status, 304);
});

test("without permission the app's own answer goes out, and no file", async (t) => {
  const { port } = await accelEdge(t);
  const answer = await get(port, '/original?key=wrong');
  assert.equal(answer.status, 403);
  assert.ok(!answer.body.includes(ORIGINAL));
});

test('a client asking for /_protected/ directly gets 404, and the app never sees it', async (t) => {
  const { port, upstream } = await accelEdge(t);
  for (const path of ['/_protected/originals/abc.png', '/_protected/', '/_protected/%2e%2e/x']) {
    const answer = await get(port, path);
    assert.ok(answer.status === 404 || answer.status === 400, `${path}: ${answer.status}`);
    assert.ok(!answer.body.includes(ORIGINAL));
  }
  assert.ok(!upstream.seen.some((seen) => seen.includes('_protected')));
});

test('a value outside the prefix or escaping the root is refused with 502 and logged', async (t) => {
  const { port, lines } = await accelEdge(t);
  for (const to of [
    '/etc/passwd',
    '/static/robots.txt',
    '/_protected/../static/robots.txt',
    '/_protected/%2e%2e/static/robots.txt',
    '/_protected/.hidden',
    '/_protected/out.png',
  ]) {
    const answer = await get(port, `/redirect?to=${encodeURIComponent(to)}`);
    assert.ok(answer.status === 502 || answer.status === 404, `${to}: ${answer.status}`);
    assert.ok(!answer.body.toString().includes(SECRET), `${to} leaked`);
    assert.ok(!answer.body.toString().includes('User-agent'), `${to} served a static file`);
  }
  const refused = lines.filter((line) => line.msg === 'X-Accel-Redirect refused');
  assert.ok(refused.length >= 4, `${refused.length} refusals logged`);
});
