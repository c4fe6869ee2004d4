import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { get, makeStaticRoot, startEdge, TABLE_CSS, testConfig } from './helpers.ts';

test('errors the edge answers itself', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port } = await startEdge(t, testConfig(root));

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    for (const path of [`/static/${TABLE_CSS}`, '/static/missing.css', '/_edge/healthz']) {
      await t.test(`${method} ${path} → 405 with Allow: GET, HEAD`, async () => {
        const answer = await get(port, path, { 'content-type': 'application/x-unknown' }, method);
        assert.equal(answer.status, 405);
        assert.equal(answer.headers.allow, 'GET, HEAD');
        assert.equal(JSON.parse(answer.body.toString()).code, 'method_not_allowed');
      });
    }
  }

  await t.test('a missing file → 404 in the shared JSON shape', async () => {
    const answer = await get(port, '/static/css/missing.11112222.css');
    assert.equal(answer.status, 404);
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    const body = JSON.parse(answer.body.toString());
    assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'requestId', 'statusCode']);
    assert.equal(body.statusCode, 404);
    assert.equal(body.code, 'not_found');
    assert.equal(body.requestId, answer.headers['x-request-id']);
  });

  await t.test('a browser asking for HTML gets the HTML page with the same facts', async () => {
    const answer = await get(port, '/static/missing.css', {
      accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
      'x-request-id': 'req-12345678',
    });
    assert.equal(answer.status, 404);
    assert.match(String(answer.headers['content-type']), /^text\/html/);
    const html = answer.body.toString();
    assert.match(html, /not_found/);
    assert.match(html, /req-12345678/);
  });

  await t.test('an unknown /_edge/ path → 404, never proxied', async () => {
    const answer = await get(port, '/_edge/nope');
    assert.equal(answer.status, 404);
    assert.equal(JSON.parse(answer.body.toString()).code, 'not_found');
  });

  await t.test('everything outside /static/ and /_edge/ goes to the proxy', async () => {
    // Nothing listens upstream here (testConfig): the proxy's own 502/503.
    for (const path of ['/', '/api/items', '/staticx/a.css', '/_edgex']) {
      const answer = await get(port, path);
      assert.ok(answer.status === 502 || answer.status === 503, `${path}: ${answer.status}`);
      const { code, requestId } = JSON.parse(answer.body.toString());
      assert.equal(requestId, answer.headers['x-request-id'], path);
      assert.ok(code === 'upstream_unreachable' || code === 'no_upstream', code);
    }
  });

  await t.test('a request Node cannot parse gets a 400 in the shared shape', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /a b c\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk;
      });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /"code":"bad_request"/);
  });
});
