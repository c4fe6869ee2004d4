import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, makeStaticRoot, SECRET, startEdge, testConfig, writeManifest } from './helpers.ts';

// Each attempt, the status the edge answers, and why that status.
const ATTEMPTS: [path: string, status: number][] = [
  ['/static/../package.json', 404], // dot-segment, sent raw (no client normalisation)
  ['/static/css/../../outside/secret.txt', 404],
  ['/static/%2e%2e/outside/secret.txt', 404], // encoded dot-segment
  ['/static/%2E%2E/outside/secret.txt', 404],
  ['/static/..%2foutside%2fsecret.txt', 404], // encoded slash after ..
  ['/static/..%5coutside%5csecret.txt', 404], // backslash
  ['/static/%252e%252e/outside/secret.txt', 404], // decoded once: a name "%2e%2e", not ".."
  ['/static/%252e%252e%252fdouble.txt', 404], // decoded once: the name "%2e%2e%2fdouble.txt"
  ['/static/.env', 404], // dotfile
  ['/static/%2eenv', 404], // encoded dotfile
  ['/static/.git/config', 404],
  ['/static/css/%2e%2e/.env', 404],
  ['/static/passwd.css', 404], // symlink to /etc/passwd
  ['/static/secret.css', 404], // symlink to a file outside the root
  ['/static/linked-dir/secret.txt', 404], // symlink to a directory outside the root
  ['/static/linked-dir/', 404],
  ['/static/css/', 404], // no directory listings
  ['/static/', 404],
  ['/static/robots.txt%00.css', 400], // NUL
  ['/static/%00', 400],
  ['/static/%zz', 400], // bad percent-encoding
  ['/static/%e0%a4%a', 400], // truncated UTF-8 sequence
  ['/static/%c0%ae%c0%ae/secret.txt', 400], // overlong UTF-8 "..": invalid, not decoded to dots
];

test('traversal attempts never leave the static root', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port } = await startEdge(t, testConfig(root));
  for (const [path, status] of ATTEMPTS) {
    await t.test(`${path} → ${status}`, async () => {
      const answer = await get(port, path);
      assert.equal(answer.status, status);
      const text = answer.body.toString('utf8');
      assert.ok(!text.includes(SECRET), 'the secret leaked');
      assert.ok(!text.includes('root:x:0:0'), '/etc/passwd leaked');
      const body = JSON.parse(text);
      assert.equal(body.statusCode, status);
      assert.equal(body.requestId, answer.headers['x-request-id']);
    });
  }
});

test('a double-encoded name is served as the literal name it decodes to once', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port } = await startEdge(t, testConfig(root));
  // `%252e%252e` → the directory literally named `%2e%2e`, inside the root.
  const answer = await get(port, '/static/%252e%252e/double.txt');
  assert.equal(answer.status, 200);
  assert.equal(answer.body.toString(), 'a directory literally named %2e%2e');
  const once = await get(port, '/static/%2e%2e/double.txt');
  assert.equal(once.status, 404, '"%2e%2e" decoded once is "..": refused');
});

test('a symlink that stays inside the root is followed, as nginx does by default', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port } = await startEdge(t, testConfig(root));
  const answer = await get(port, '/static/inside-link.txt');
  assert.equal(answer.status, 200);
  assert.equal(answer.body.toString(), 'User-agent: *\n');
});

test('a manifest that names a file outside the root or a dotfile puts nothing in the table', async (t) => {
  const { root } = await makeStaticRoot(t);
  await writeManifest(root, { a: '../outside/secret.txt', b: '.env', c: 'secret.css' });
  const { port, edge } = await startEdge(t, testConfig(root));
  assert.ok(edge.server.listening);
  for (const path of ['/static/secret.css', '/static/.env', '/static/../outside/secret.txt']) {
    const answer = await get(port, path);
    assert.equal(answer.status, 404, path);
    assert.ok(!answer.body.toString().includes(SECRET));
  }
});
