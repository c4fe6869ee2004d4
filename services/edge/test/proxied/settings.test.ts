/**
 * The proxy settings in config.ts reach the proxy through buildEdge: body
 * limit (declared and chunked), compression threshold, rate limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { readBody, send, startProxyingEdge, startUpstream } from './helpers.ts';

const TEXT = 'a line of compressible text for the edge to gzip\n'.repeat(100);

test('EDGE_MAX_BODY_BYTES: 413 on a declared length and on a chunked body past it', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    // The edge cuts an oversized chunked body off mid-stream: 'aborted' here.
    readBody(req).then(
      (body) => res.end(`got ${body.length}`),
      () => {},
    );
  });
  const { port } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`, {
    maxBodyBytes: 1000,
  });
  const declared = await send(port, {
    method: 'POST',
    path: '/up',
    headers: { 'content-length': '2000' },
    body: 'x'.repeat(2000),
  });
  assert.equal(declared.status, 413);
  assert.equal(JSON.parse(declared.text).code, 'body_too_large');
  assert.deepEqual(upstream.seen, [], 'refused before the upstream was contacted');
  const chunked = await send(port, {
    method: 'POST',
    path: '/up',
    body: ['x'.repeat(600), 'y'.repeat(600)],
  });
  assert.equal(chunked.status, 413);
  const fits = await send(port, { method: 'POST', path: '/up', body: 'z'.repeat(1000) });
  assert.equal(fits.text, 'got 1000');
});

test('EDGE_COMPRESS_MIN_BYTES: gzip above the threshold, nothing when 0', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(TEXT) });
    res.end(TEXT);
  });
  const url = `http://127.0.0.1:${upstream.port}`;
  const on = await startProxyingEdge(t, url, { compressMinBytes: 1024 });
  const zipped = await send(on.port, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(zipped.headers.vary, 'Accept-Encoding');
  assert.equal(gunzipSync(zipped.body).toString(), TEXT);
  const off = await startProxyingEdge(t, url, { compressMinBytes: 0 });
  const plain = await send(off.port, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.text, TEXT);
});

test('EDGE_RATE_LIMIT_RPS: past the burst, 429 with Retry-After', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('ok'));
  const { port } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`, {
    rateLimitPerSecond: 1,
    rateLimitBurst: 2,
  });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push(await send(port));
  assert.deepEqual(
    statuses.map((r) => r.status),
    [200, 200, 429, 429],
  );
  assert.ok(Number(statuses[2]?.headers['retry-after']) >= 1);
  assert.equal(JSON.parse(statuses[2]?.text ?? '').code, 'rate_limited');
  assert.equal(upstream.seen.length, 2);
});
