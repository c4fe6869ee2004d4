import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeAddress } from '../../src/proxy/forwarded.ts';
import { trustList } from '../../src/proxy/index.ts';
import { send, startEdge, startUpstream, upstreamUrl } from './helpers.ts';

/** An upstream that answers with the request headers it received. */
async function echoHeaders(t: import('node:test').TestContext) {
  return startUpstream(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.headers));
  });
}

test('a client’s own X-Forwarded-* headers are replaced when no proxy is trusted', async (t) => {
  const upstream = await echoHeaders(t);
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const reply = await send(edge.port, {
    headers: {
      host: 'shop.example.test',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.test',
      forwarded: 'for=203.0.113.7',
      'x-real-ip': '203.0.113.7',
    },
  });
  const seen = JSON.parse(reply.text);
  assert.equal(seen['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen['x-forwarded-proto'], 'http');
  assert.equal(seen['x-forwarded-host'], 'shop.example.test');
  assert.equal(seen.forwarded, undefined);
  assert.equal(seen['x-real-ip'], undefined);
});

test('a trusted proxy’s X-Forwarded-For chain is extended with its address', async (t) => {
  const upstream = await echoHeaders(t);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    trustedProxies: ['127.0.0.0/8'],
  });
  const reply = await send(edge.port, {
    headers: {
      'x-forwarded-for': '203.0.113.7, 198.51.100.2',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'shop.example.test',
    },
  });
  const seen = JSON.parse(reply.text);
  assert.equal(seen['x-forwarded-for'], '203.0.113.7, 198.51.100.2, 127.0.0.1');
  assert.equal(seen['x-forwarded-proto'], 'https');
  assert.equal(seen['x-forwarded-host'], 'shop.example.test');
});

test('a peer outside the trusted list is not believed', async (t) => {
  const upstream = await echoHeaders(t);
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    trustedProxies: ['10.0.0.0/8', '::1'],
  });
  const reply = await send(edge.port, { headers: { 'x-forwarded-for': '203.0.113.7' } });
  assert.equal(JSON.parse(reply.text)['x-forwarded-for'], '127.0.0.1');
});

test('hop-by-hop request headers, and those named in Connection, are not forwarded', async (t) => {
  const upstream = await echoHeaders(t);
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const reply = await send(edge.port, {
    headers: {
      connection: 'keep-alive, X-Secret-Hop',
      'x-secret-hop': 'for the edge only',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      'x-end-to-end': 'kept',
    },
  });
  const seen = JSON.parse(reply.text);
  assert.equal(seen['x-secret-hop'], undefined);
  assert.equal(seen['keep-alive'], undefined);
  assert.equal(seen.te, undefined);
  assert.equal(seen['proxy-authorization'], undefined);
  assert.equal(seen['x-end-to-end'], 'kept');
  // The edge's own connection to the upstream is keep-alive, whatever the client said.
  assert.equal(seen.connection, 'keep-alive');
});

test('hop-by-hop response headers, and those named in Connection, are not passed back', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.setHeader('connection', 'x-internal-hop');
    res.setHeader('x-internal-hop', 'secret');
    res.setHeader('keep-alive', 'timeout=5');
    res.setHeader('proxy-authenticate', 'Basic');
    res.setHeader('x-app', 'kept');
    res.end('ok');
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const reply = await send(edge.port);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['x-internal-hop'], undefined);
  assert.equal(reply.headers['proxy-authenticate'], undefined);
  assert.notEqual(reply.headers.connection, 'x-internal-hop');
  assert.equal(reply.headers['x-app'], 'kept');
});

test('the Server header names the edge without a version, whatever the upstream sent', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.setHeader('server', 'app/1.2.3 Node.js/24.1.0');
    res.end('ok');
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const reply = await send(edge.port);
  assert.equal(reply.headers.server, 'edge');
  assert.doesNotMatch(reply.headers.server ?? '', /\d/);
});

test('a well-formed request id is passed to the upstream and returned; a bad one is replaced', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    res.setHeader('x-request-id', 'the-app-must-not-override');
    res.end(String(req.headers['x-request-id']));
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const kept = await send(edge.port, { headers: { 'x-request-id': 'trace-12345678' } });
  assert.equal(kept.text, 'trace-12345678');
  assert.equal(kept.headers['x-request-id'], 'trace-12345678');

  const replaced = await send(edge.port, { headers: { 'x-request-id': 'bad id\twith tab' } });
  assert.match(replaced.text, /^[0-9a-f-]{36}$/);
  assert.equal(replaced.headers['x-request-id'], replaced.text);
});

test('repeated Set-Cookie headers from the upstream all reach the client', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
    res.end('ok');
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const reply = await send(edge.port);
  assert.deepEqual(reply.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
});

test('trusted-proxy entries must be addresses or CIDRs, and a bad one is named', () => {
  assert.throws(() => trustList(['10.0.0.0/8', 'app']), /app/);
  assert.throws(() => trustList(['10.0.0.0/33']), /10\.0\.0\.0\/33/);
  const list = trustList(['10.0.0.0/8', 'fd00::/8']);
  assert.equal(list?.check('10.1.2.3', 'ipv4'), true);
  assert.equal(list?.check('fd00::1', 'ipv6'), true);
  assert.equal(list?.check('11.0.0.1', 'ipv4'), false);
});

test('an IPv4 peer seen through a dual-stack socket is written as plain IPv4', () => {
  assert.equal(normalizeAddress('::ffff:10.0.0.7'), '10.0.0.7');
  assert.equal(normalizeAddress('2001:db8::1'), '2001:db8::1');
});
