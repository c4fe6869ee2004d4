import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { errorBodySchema } from '@stack/shared';
import {
  mutableResolver,
  send,
  startBlackhole,
  startEdge,
  startUpstream,
  upstreamUrl,
} from './helpers.ts';

function assertErrorShape(text: string, status: number, code: string, requestId?: string) {
  const body = JSON.parse(text);
  assert.deepEqual(Object.keys(body).sort(), [...errorBodySchema.required].sort());
  assert.equal(body.statusCode, status);
  assert.equal(body.code, code);
  assert.equal(typeof body.message, 'string');
  if (requestId) assert.equal(body.requestId, requestId);
}

test('an upstream that does not answer in time gives 504 upstream_timeout', async (t) => {
  const upstream = await startUpstream(t, () => {});
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    upstreamTimeoutMs: 300,
  });
  const reply = await send(edge.port, { headers: { 'x-request-id': 'timeout-test-1' } });
  assert.equal(reply.status, 504);
  assert.equal(reply.headers['x-request-id'], 'timeout-test-1');
  assertErrorShape(reply.text, 504, 'upstream_timeout', 'timeout-test-1');
});

test('an upstream that goes quiet between body chunks is cut after the timeout', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part');
  });
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    upstreamTimeoutMs: 300,
  });
  await assert.rejects(send(edge.port), /aborted|socket hang up|ECONNRESET/);
});

test('a refused connection gives 502 upstream_unreachable', async (t) => {
  const upstream = await startUpstream(t, () => {});
  const port = upstream.port;
  await upstream.close();
  const edge = await startEdge(t, { upstream: upstreamUrl(port, '127.0.0.1') });
  const reply = await send(edge.port);
  assert.equal(reply.status, 502);
  assertErrorShape(reply.text, 502, 'upstream_unreachable');
});

test('a connection that is never accepted gives 504 upstream_timeout after the connect timeout', async (t) => {
  const port = await startBlackhole(t);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(port, '127.0.0.1'),
    upstreamConnectTimeoutMs: 300,
  });
  const started = Date.now();
  const reply = await send(edge.port);
  assert.equal(reply.status, 504);
  assertErrorShape(reply.text, 504, 'upstream_timeout');
  assert.ok(Date.now() - started >= 250, 'answered before the connect timeout');
});

test('a name that resolves to nothing gives 503 no_upstream', async (t) => {
  const { resolve } = mutableResolver([]);
  const edge = await startEdge(t, { upstream: upstreamUrl(3000), resolve });
  const reply = await send(edge.port);
  assert.equal(reply.status, 503);
  assertErrorShape(reply.text, 503, 'no_upstream');
});

test('a browser asking for HTML gets the error as a small page with the same facts', async (t) => {
  const { resolve } = mutableResolver([]);
  const edge = await startEdge(t, { upstream: upstreamUrl(3000), resolve });
  const reply = await send(edge.port, {
    headers: {
      accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
      'x-request-id': 'html-req-0001',
    },
  });
  assert.equal(reply.status, 503);
  assert.match(reply.headers['content-type'] ?? '', /^text\/html/);
  assert.match(reply.text, /no_upstream/);
  assert.match(reply.text, /html-req-0001/);
});

test('an upstream that closes the connection without answering a POST gives 502', async (t) => {
  const server = createServer((socket) => socket.once('data', () => socket.destroy()));
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.after(() => server.close());
  const port = (server.address() as import('node:net').AddressInfo).port;
  const edge = await startEdge(t, { upstream: upstreamUrl(port, '127.0.0.1') });
  const reply = await send(edge.port, { method: 'POST', body: 'x' });
  assert.equal(reply.status, 502);
  assertErrorShape(reply.text, 502, 'upstream_unreachable');
});
