import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Reply, send, startProxyingEdge, startUpstream } from './helpers.ts';

/** The shared error shape (the root README, "Contracts between the containers"), with the id the response carries. */
function assertShared(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status);
  assert.equal(reply.headers['content-type'], 'application/json; charset=utf-8');
  const body = JSON.parse(reply.text);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'requestId', 'statusCode']);
  assert.equal(body.statusCode, status);
  assert.equal(body.code, code);
  assert.equal(body.requestId, reply.headers['x-request-id']);
}

test('502 upstream_unreachable when the upstream dies on a POST (never replayed)', async (t) => {
  const upstream = await startUpstream(t, (req) => req.socket.destroy());
  const { port } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`);
  assertShared(
    await send(port, { method: 'POST', path: '/api/items', body: '{}' }),
    502,
    'upstream_unreachable',
  );
  assert.deepEqual(upstream.seen, ['POST /api/items'], 'sent exactly once');
});

test('503 no_upstream when the host name resolves to nothing; HTML for a browser', async (t) => {
  const resolve = async () => {
    throw Object.assign(new Error('no such host'), { code: 'ENOTFOUND' });
  };
  const { port } = await startProxyingEdge(t, 'http://app.invalid:3000', {}, { resolve });
  assertShared(await send(port, { path: '/' }), 503, 'no_upstream');
  const html = await send(port, { path: '/', headers: { accept: 'text/html' } });
  assert.equal(html.status, 503);
  assert.match(String(html.headers['content-type']), /^text\/html/);
  assert.match(html.text, /no_upstream/);
  assert.match(html.text, new RegExp(String(html.headers['x-request-id'])));
});

test('504 upstream_timeout when the upstream does not answer in time', async (t) => {
  const held: import('node:http').ServerResponse[] = [];
  const upstream = await startUpstream(t, (_req, res) => held.push(res));
  const { port } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`, {
    upstreamTimeoutMs: 300,
  });
  const started = Date.now();
  assertShared(await send(port, { path: '/slow' }), 504, 'upstream_timeout');
  assert.ok(Date.now() - started < 5000);
});
