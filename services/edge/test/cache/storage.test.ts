import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answer, scripted } from './helpers.ts';

// Headers made when the test runs: with the unit phase's files sharing a
// process, a test may start minutes after this module loaded, and an
// Expires computed at load time would already be past.
const STORED: [string, () => Record<string, string>][] = [
  ['s-maxage', () => ({ 'cache-control': 's-maxage=60' })],
  ['public, max-age', () => ({ 'cache-control': 'public, max-age=60' })],
  ['max-age alone', () => ({ 'cache-control': 'max-age=60' })],
  ['Expires', () => ({ expires: new Date(Date.now() + 60_000).toUTCString() })],
  ['upper-case directives', () => ({ 'cache-control': 'Public, Max-Age=60' })],
];

for (const [name, headers] of STORED) {
  test(`${name}: the second GET is a hit, the upstream sees one`, async (t) => {
    const s = await scripted(t, answer(headers(), 'hello'));
    const first = await s.get();
    assert.equal(first.text, 'hello');
    assert.match(String(first.headers['cache-status']), /^edge; fwd=uri-miss; stored/);
    const second = await s.get();
    assert.equal(second.status, 200);
    assert.equal(second.text, 'hello');
    assert.match(String(second.headers['cache-status']), /^edge; hit; ttl=\d+/);
    assert.equal(s.hits(), 1);
  });
}

const NEVER: [string, Record<string, string>, Record<string, string>?][] = [
  ['no Cache-Control at all', {}],
  ['private', { 'cache-control': 'private, max-age=60' }],
  ['no-store', { 'cache-control': 'no-store, max-age=60' }],
  ['No-Store in capitals', { 'cache-control': 'public, No-Store, max-age=60' }],
  ['Set-Cookie', { 'cache-control': 'public, max-age=60', 'set-cookie': 'sid=1' }],
  ['no directive, only a validator', { etag: '"v1"', 'last-modified': new Date(0).toUTCString() }],
  [
    'an Authorization request and max-age',
    { 'cache-control': 'max-age=60' },
    { authorization: 'Bearer x' },
  ],
  ['Vary: *', { 'cache-control': 's-maxage=60', vary: '*' }],
];

for (const [name, headers, request] of NEVER) {
  test(`${name}: never stored`, async (t) => {
    const s = await scripted(t, answer(headers, 'secret'));
    const first = await s.get('/r', request);
    assert.equal(first.text, 'secret');
    assert.equal(first.headers['cache-status'], 'edge; fwd=uri-miss');
    await s.get('/r', request);
    await s.get('/r');
    assert.equal(s.hits(), 3);
  });
}

for (const directive of ['public, max-age=60', 's-maxage=60', 'max-age=60, must-revalidate']) {
  test(`an Authorization request is stored when the answer says ${directive}`, async (t) => {
    const s = await scripted(t, answer({ 'cache-control': directive, etag: '"a"' }, 'shared'));
    await s.get('/r', { authorization: 'Bearer x' });
    const again = await s.get('/r');
    assert.equal(again.text, 'shared');
    // must-revalidate is revalidated on every use (the README says why): a 304-less upstream answers 200 again.
    if (!directive.includes('must-revalidate')) assert.equal(s.hits(), 1);
    else assert.match(String(again.headers['cache-status']), /fwd=stale/);
  });
}

test('a request with no-store is neither answered from nor stored in the cache', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=60' }));
  await s.get('/r', { 'cache-control': 'no-store' });
  await s.get('/r');
  assert.equal(s.hits(), 2);
});

test('statuses: 404 with max-age is stored, 500 and 206 never, 302 only when explicitly fresh', async (t) => {
  const s = await scripted(t, (req, res) => {
    const status = Number(req.url?.slice(1, 4));
    const headers: Record<string, string> = { 'cache-control': 'max-age=60' };
    if (req.url === '/302-plain') delete headers['cache-control'];
    if (status === 302) headers.location = '/elsewhere';
    if (status === 206) headers['content-range'] = 'bytes 0-1/10';
    answer(headers, 'x', status)(req, res);
  });
  for (const path of ['/404', '/500', '/206', '/302', '/302-plain']) {
    await s.get(path);
    await s.get(path);
  }
  assert.deepEqual(
    ['/404', '/500', '/206', '/302', '/302-plain'].map((p) => s.hits(p)),
    [1, 2, 2, 1, 2],
  );
});

test('Age: the upstream value plus the time the entry spent in the cache', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=600', age: '100' }));
  await s.get();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const hit = await s.get();
  const age = Number(hit.headers.age);
  assert.ok(age >= 101 && age <= 102, `Age ${age}`);
  assert.match(String(hit.headers['cache-status']), /ttl=(498|499)/);
});

test('a stale entry is not served as a hit', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=1' }));
  await s.get();
  assert.equal(s.hits(), 1);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const again = await s.get();
  assert.match(String(again.headers['cache-status']), /fwd=stale/);
  assert.equal(s.hits(), 2);
});

test('HEAD is answered from a stored GET, and a HEAD miss stores nothing', async (t) => {
  const s = await scripted(t, answer({ 'cache-control': 's-maxage=60' }, 'full body'));
  const head = await s.send({ method: 'HEAD', path: '/r' });
  assert.equal(head.body.length, 0);
  await s.get();
  const again = await s.send({ method: 'HEAD', path: '/r' });
  assert.equal(again.body.length, 0);
  assert.equal(again.headers['content-length'], '9');
  assert.match(String(again.headers['cache-status']), /^edge; hit/);
  assert.equal(s.hits(), 2);
});
