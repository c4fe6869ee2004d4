import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, makeStaticRoot, startEdge, TABLE_CSS, testConfig } from './helpers.ts';

test('/_edge/healthz says 200 while serving and 503 once draining', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port, edge } = await startEdge(t, testConfig(root));
  const ok = await get(port, '/_edge/healthz');
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body.toString()), { status: 'ok' });
  assert.equal(ok.headers['cache-control'], 'no-store');
  edge.lifecycle.draining = true;
  const draining = await get(port, '/_edge/healthz');
  assert.equal(draining.status, 503);
  assert.equal(JSON.parse(draining.body.toString()).code, 'draining');
  assert.equal((await get(port, `/static/${TABLE_CSS}`)).status, 200, 'still serving');
});

test('one JSON access-log line per request, from the fast path and from Fastify', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port, lines } = await startEdge(t, testConfig(root));
  const requests: [path: string, method: string, status: number][] = [
    [`/static/${TABLE_CSS}`, 'GET', 200], // fast path
    [`/static/${TABLE_CSS}`, 'HEAD', 200],
    ['/static/robots.txt', 'GET', 200], // disk, through Fastify
    ['/static/nope.css', 'GET', 404],
    ['/static/%zz', 'GET', 400], // rejected by the router
    ['/_edge/healthz', 'GET', 200],
  ];
  const ids: string[] = [];
  for (const [path, method] of requests) {
    ids.push(String((await get(port, path, {}, method)).headers['x-request-id']));
  }
  // Lines are written when the response finishes; give the last one a tick.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const access = lines.filter((line) => 'reqId' in line && 'status' in line);
  assert.equal(access.length, requests.length);
  requests.forEach(([path, method, status], i) => {
    const line = access.find((candidate) => candidate.reqId === ids[i]);
    assert.ok(line, `no line for ${method} ${path}`);
    assert.equal(line.method, method);
    assert.equal(line.path, path);
    assert.equal(line.status, status);
    assert.equal(typeof line.bytes, 'number');
    assert.equal(typeof line.ms, 'number');
  });
  const head = access.find((line) => line.method === 'HEAD');
  assert.equal(head?.bytes, 0, 'HEAD sends no body bytes');
  const get200 = access.find((line) => line.reqId === ids[0]);
  assert.ok(Number(get200?.bytes) > 0);
});
