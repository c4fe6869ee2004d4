import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answer, scripted } from './helpers.ts';

const CACHEABLE = { 'cache-control': 's-maxage=60' };

/** GETs are cacheable; an unsafe request answers with the status and fields its query names. */
function app(unsafe: { status: number; headers?: Record<string, string> }) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (req.method === 'GET') return answer(CACHEABLE, `get ${req.url}`)(req, res);
    req.resume();
    req.on('end', () => answer(unsafe.headers ?? {}, 'done', unsafe.status)(req, res));
  };
}

for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
  test(`a successful ${method} invalidates its target`, async (t) => {
    const s = await scripted(t, app({ status: 200 }));
    await s.get('/item');
    await s.get('/item');
    assert.equal(s.hits('/item'), 1);
    // Node's client frames no body for DELETE: send none.
    const done = await s.send({
      method,
      path: '/item',
      body: method === 'DELETE' ? undefined : 'x',
    });
    assert.equal(done.status, 200, done.text);
    const after = await s.get('/item');
    assert.match(String(after.headers['cache-status']), /fwd=uri-miss/);
    assert.equal(s.hits('/item'), 2);
  });
}

test('Location and Content-Location on the same origin are invalidated too, another origin’s are not', async (t) => {
  const headers = { location: '/a', 'content-location': 'http://other.test/b' };
  const s = await scripted(t, app({ status: 201, headers }));
  const host = `127.0.0.1:${s.edge.port}`;
  await s.get('/a');
  await s.get('/b', { host: 'other.test' });
  await s.send({ method: 'POST', path: '/list', body: 'x' });
  await s.get('/a');
  await s.get('/b', { host: 'other.test' });
  assert.equal(s.hits('/a'), 2);
  assert.equal(s.hits('/b'), 1);
  assert.ok(host);
});

test('an absolute same-origin Location is invalidated', async (t) => {
  let location = '';
  const s = await scripted(t, (req, res) => app({ status: 303, headers: { location } })(req, res));
  location = `http://127.0.0.1:${s.edge.port}/c?x=1`;
  await s.get('/c?x=1');
  await s.send({ method: 'POST', path: '/form', body: 'x' });
  await s.get('/c?x=1');
  assert.equal(s.hits('/c?x=1'), 2);
});

for (const status of [400, 500]) {
  test(`a ${status} answer to a POST invalidates nothing`, async (t) => {
    const s = await scripted(t, app({ status }));
    await s.get('/item');
    await s.send({ method: 'POST', path: '/item', body: 'x' });
    await s.get('/item');
    assert.equal(s.hits('/item'), 1);
  });
}

test('OPTIONS invalidates nothing', async (t) => {
  const s = await scripted(t, app({ status: 200 }));
  await s.get('/item');
  await s.send({ method: 'OPTIONS', path: '/item' });
  await s.get('/item');
  assert.equal(s.hits('/item'), 1);
  assert.equal(s.edge.proxy.stats().cache.invalidations, 0);
});
