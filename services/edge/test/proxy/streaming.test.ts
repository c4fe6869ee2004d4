import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { test } from 'node:test';
import { readBody, send, startEdge, startUpstream, upstreamUrl } from './helpers.ts';

test('a request body reaches the upstream before the client has finished sending it', async (t) => {
  let firstChunkSeen: () => void = () => {};
  const seen = new Promise<void>((resolve) => {
    firstChunkSeen = resolve;
  });
  const upstream = await startUpstream(t, (req, res) => {
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      firstChunkSeen();
    });
    req.on('end', () => res.end(String(total)));
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });

  const req = request({ port: edge.port, host: '127.0.0.1', method: 'POST', path: '/upload' });
  req.write(Buffer.alloc(1000, 1));
  // Were the body buffered whole, the upstream would see nothing until end().
  await seen;
  req.end(Buffer.alloc(500, 2));
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  assert.equal(res.statusCode, 200);
  assert.equal((await readBody(res)).toString(), '1500');
});

test('a response body reaches the client while the upstream is still writing it', async (t) => {
  let finish: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const upstream = await startUpstream(t, async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(Buffer.alloc(2000, 3));
    await released;
    res.end(Buffer.alloc(10, 4));
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });

  const req = request({ port: edge.port, host: '127.0.0.1', path: '/download' });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const [first] = (await once(res, 'data')) as [Buffer];
  assert.equal(first[0], 3);
  finish();
  const rest = await readBody(res);
  assert.equal(first.length + rest.length, 2010);
});

test('a large body streams both ways intact', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    req.pipe(res);
  });
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    maxBodyBytes: 0,
  });
  const payload = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < payload.length; i += 4096) payload[i] = i % 251;
  const reply = await send(edge.port, { method: 'PUT', path: '/echo', body: payload });
  assert.equal(reply.status, 200);
  assert.ok(reply.body.equals(payload));
});

test('the Host header, path and query reach the upstream unchanged', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    res.end(JSON.stringify({ host: req.headers.host, url: req.url }));
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const reply = await send(edge.port, {
    path: '/a/b%20c?x=1&y=%2F',
    headers: { host: 'www.example.test' },
  });
  assert.deepEqual(JSON.parse(reply.text), { host: 'www.example.test', url: '/a/b%20c?x=1&y=%2F' });
});

test('a HEAD request gets the upstream headers and no body', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
    res.end('hello');
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const reply = await send(edge.port, { method: 'HEAD' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-length'], '5');
  assert.equal(reply.body.length, 0);
});
