import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBody, send, startEdge, startUpstream, upstreamUrl } from './helpers.ts';

async function setup(t: import('node:test').TestContext) {
  const upstream = await startUpstream(t, async (req, res) => {
    res.end(String((await readBody(req)).length));
  });
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    maxBodyBytes: 1000,
  });
  return { upstream, edge };
}

test('a Content-Length above the limit gets 413 before the upstream sees the request', async (t) => {
  const { upstream, edge } = await setup(t);
  const reply = await send(edge.port, {
    method: 'POST',
    headers: { 'content-length': '1001' },
    body: Buffer.alloc(1001),
  });
  assert.equal(reply.status, 413);
  assert.equal(JSON.parse(reply.text).code, 'body_too_large');
  assert.equal(reply.headers.connection, 'close');
  assert.deepEqual(upstream.seen, []);
});

test('a chunked body gets 413 once it passes the limit', async (t) => {
  const { edge } = await setup(t);
  const chunks = Array.from({ length: 8 }, () => Buffer.alloc(300, 7));
  const reply = await send(edge.port, { method: 'POST', body: chunks });
  assert.equal(reply.status, 413);
  assert.equal(JSON.parse(reply.text).code, 'body_too_large');
});

test('bodies up to the limit pass, declared or chunked', async (t) => {
  const { edge } = await setup(t);
  const declared = await send(edge.port, { method: 'POST', body: Buffer.alloc(1000) });
  assert.equal(declared.text, '1000');
  const chunked = await send(edge.port, {
    method: 'POST',
    body: [Buffer.alloc(500), Buffer.alloc(500)],
  });
  assert.equal(chunked.text, '1000');
});

test('under EDGE_UPLOAD_PATHS the upload limit applies, whole segments only', async (t) => {
  const upstream = await startUpstream(t, async (req, res) => {
    res.end(String((await readBody(req)).length));
  });
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    maxBodyBytes: 1000,
    uploadPaths: ['/uploads', '/api/photos'],
    uploadMaxBodyBytes: 3000,
  });
  const post = (path: string, bytes: number) =>
    send(edge.port, { method: 'POST', path, body: Buffer.alloc(bytes) });
  assert.equal((await post('/uploads', 3000)).text, '3000');
  assert.equal((await post('/api/photos?x=1', 3000)).text, '3000');
  assert.equal((await post('/uploads/7/delete', 2000)).text, '2000');
  assert.equal((await post('/uploads', 3001)).status, 413, 'over the upload limit');
  assert.equal((await post('/uploadsX', 1001)).status, 413, 'not a whole segment');
  assert.equal((await post('/other', 1001)).status, 413, 'elsewhere the general limit');
  const chunked = await send(edge.port, {
    method: 'POST',
    path: '/uploads',
    body: Array.from({ length: 4 }, () => Buffer.alloc(800)),
  });
  assert.equal(chunked.status, 413, 'a chunked body over the upload limit');
  assert.ok(!upstream.seen.some((seen) => seen.includes('/other')));
});
