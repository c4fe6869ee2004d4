import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { send, startEdge, startUpstream, upstreamUrl } from './helpers.ts';

const PAGE = `<!doctype html><title>x</title>${'<p>hello compressible world</p>'.repeat(200)}`;

async function setup(t: import('node:test').TestContext) {
  const upstream = await startUpstream(t, (req, res) => {
    if (req.url === '/small') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
      res.end('small');
    } else if (req.url === '/png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.alloc(5000));
    } else if (req.url === '/already') {
      const gz = gzipSync(PAGE);
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      res.end(gz);
    } else {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(PAGE),
        etag: '"v1"',
        vary: 'Cookie',
      });
      res.end(PAGE);
    }
  });
  return startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    compressMinBytes: 1024,
  });
}

test('a compressible response is sent as br when the client prefers it', async (t) => {
  const edge = await setup(t);
  const reply = await send(edge.port, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(reply.headers['content-encoding'], 'br');
  assert.equal(reply.headers.vary, 'Cookie, Accept-Encoding');
  assert.equal(reply.headers.etag, 'W/"v1"');
  assert.equal(reply.headers['content-length'], undefined);
  assert.ok(reply.body.length < Buffer.byteLength(PAGE) / 4);
  assert.equal(brotliDecompressSync(reply.body).toString(), PAGE);
});

test('q-values are honoured: gzip when br is refused or ranked lower', async (t) => {
  const edge = await setup(t);
  for (const accept of ['gzip', 'br;q=0, gzip', 'br;q=0.5, gzip;q=0.9']) {
    const reply = await send(edge.port, { headers: { 'accept-encoding': accept } });
    assert.equal(reply.headers['content-encoding'], 'gzip', accept);
    assert.equal(gunzipSync(reply.body).toString(), PAGE);
  }
});

test('a client accepting no encoding gets identity, still with Vary', async (t) => {
  const edge = await setup(t);
  const variants: Record<string, string>[] = [
    {},
    { 'accept-encoding': 'identity' },
    { 'accept-encoding': 'br;q=0, gzip;q=0' },
  ];
  for (const headers of variants) {
    const reply = await send(edge.port, { headers });
    assert.equal(reply.headers['content-encoding'], undefined);
    assert.equal(reply.headers.vary, 'Cookie, Accept-Encoding');
    assert.equal(reply.headers.etag, '"v1"');
    assert.equal(reply.text, PAGE);
  }
});

test('small, binary and already-compressed responses pass unchanged', async (t) => {
  const edge = await setup(t);
  const small = await send(edge.port, { path: '/small', headers: { 'accept-encoding': 'br' } });
  assert.equal(small.headers['content-encoding'], undefined);
  assert.equal(small.text, 'small');
  const png = await send(edge.port, { path: '/png', headers: { 'accept-encoding': 'br' } });
  assert.equal(png.headers['content-encoding'], undefined);
  assert.equal(png.body.length, 5000);
  const already = await send(edge.port, { path: '/already', headers: { 'accept-encoding': 'br' } });
  assert.equal(already.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(already.body).toString(), PAGE);
});
