import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { createProxy, proxyOptions } from '../../src/proxy/index.ts';
import { readBody, send, startUpstream, upstreamUrl } from './helpers.ts';

test('a Fastify catch-all route can hand requests to the proxy with reply.hijack()', async (t) => {
  const upstream = await startUpstream(t, async (req, res) => {
    res.end(`${req.method} ${req.url} ${(await readBody(req)).toString()}`);
  });
  const proxy = createProxy(
    proxyOptions({ upstream: upstreamUrl(upstream.port, '127.0.0.1'), healthIntervalMs: 0 }),
  );
  const app = Fastify();
  // Fastify must leave the body unread: the proxy streams it to the upstream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.all('/*', (request, reply) => {
    reply.hijack();
    proxy.handle(request.raw, reply.raw, { requestId: request.id });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(async () => {
    await app.close();
    await proxy.close();
  });
  const port = (app.server.address() as import('node:net').AddressInfo).port;

  const reply = await send(port, {
    method: 'POST',
    path: '/api/items?x=1',
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
  });
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'POST /api/items?x=1 {"a":1}');
});
