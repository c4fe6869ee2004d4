import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DISK_CSS, get, makeStaticRoot, startEdge, TABLE_CSS, testConfig } from './helpers.ts';

test('response headers of static files', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port } = await startEdge(t, testConfig(root));

  const TYPES: [path: string, type: string][] = [
    [`/static/${TABLE_CSS}`, 'text/css; charset=utf-8'],
    ['/static/js/app.1234abcd.js', 'text/javascript; charset=utf-8'],
    ['/static/robots.txt', 'text/plain; charset=utf-8'],
    ['/static/img/logo.svg', 'image/svg+xml'],
    ['/static/data.unknownext', 'application/octet-stream'],
    ['/static/manifest.json', 'application/json; charset=utf-8'],
  ];
  for (const [path, type] of TYPES) {
    await t.test(`${path} is ${type}, never sniffed`, async () => {
      const answer = await get(port, path);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], type);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    });
  }

  const IMMUTABLE = 'public, max-age=31536000, immutable';
  const CACHING: [path: string, cacheControl: string][] = [
    [`/static/${TABLE_CSS}`, IMMUTABLE], // in the manifest (the table)
    [`/static/${DISK_CSS}`, IMMUTABLE], // a previous set's hashed name (the disk)
    [`/static/${DISK_CSS}.gz`, IMMUTABLE],
    ['/static/robots.txt', 'no-cache'],
    ['/static/manifest.json', 'no-cache'],
  ];
  for (const [path, cacheControl] of CACHING) {
    await t.test(`${path} has Cache-Control: ${cacheControl}`, async () => {
      assert.equal((await get(port, path)).headers['cache-control'], cacheControl);
    });
  }

  await t.test('no Server header, so no version to fingerprint', async () => {
    for (const path of [`/static/${TABLE_CSS}`, '/static/robots.txt', '/nope']) {
      assert.equal((await get(port, path)).headers.server, undefined, path);
    }
  });

  for (const path of [`/static/${TABLE_CSS}`, '/static/robots.txt', '/_edge/healthz', '/nope']) {
    await t.test(
      `${path}: a well-formed X-Request-Id is kept, anything else replaced`,
      async () => {
        const kept = await get(port, path, { 'x-request-id': 'trace-1234.abc:9' });
        assert.equal(kept.headers['x-request-id'], 'trace-1234.abc:9');
        const replaced = await get(port, path, { 'x-request-id': 'bad id<script>' });
        assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
        const fresh = await get(port, path);
        assert.match(String(fresh.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      },
    );
  }

  await t.test('HEAD: the headers of GET, with no body', async () => {
    for (const path of [`/static/${TABLE_CSS}`, '/static/robots.txt']) {
      const full = await get(port, path);
      const head = await get(port, path, {}, 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      assert.equal(head.headers['content-length'], String(full.body.length));
      assert.equal(head.headers.etag, full.headers.etag);
    }
  });

  await t.test('a query string does not change the file served', async () => {
    const plain = await get(port, `/static/${TABLE_CSS}`);
    const query = await get(port, `/static/${TABLE_CSS}?v=2`);
    assert.equal(query.status, 200);
    assert.deepEqual(query.body, plain.body);
  });
});
