/**
 * The edge in front of the real app and a real PostgreSQL: the API through
 * the proxy, request ids both ways, the client address the app sees, and
 * static files that never reach it.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { TABLE_CSS } from '../helpers.ts';
import { startAppOnPostgres } from './app.ts';
import { send, startProxyingEdge, until } from './helpers.ts';

const json = { 'content-type': 'application/json' };

/** A GET from another loopback address than the edge's own, so the two peers differ. */
function getFrom(
  localAddress: string,
  port: number,
  path: string,
  headers: Record<string, string>,
) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers, localAddress, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('the real app behind the whole edge', async (t) => {
  // The app trusts all of loopback, as compose's app trusts the front network:
  // were the edge to pass a client's chain on, the app would believe it.
  const app = await startAppOnPostgres(t, { APP_TRUSTED_PROXIES: '127.0.0.0/8' });
  const { port } = await startProxyingEdge(t, app.url, { healthIntervalMs: 200 });
  const appLine = (requestId: string) =>
    app.lines.find((line) => line.requestId === requestId && line.msg === 'request completed');

  await t.test('API CRUD through the edge', async () => {
    const created = await send(port, {
      method: 'POST',
      path: '/api/entries',
      headers: { ...json, 'x-request-id': 'crud-create-0001' },
      body: JSON.stringify({ author: 'Edge', message: 'through the proxy' }),
    });
    assert.equal(created.status, 201, created.text);
    const entry = JSON.parse(created.text);
    assert.equal(created.headers.location, `/api/entries/${entry.id}`);
    assert.ok(created.headers['x-instance-id'], 'the replica names itself');

    const fetched = await send(port, { path: `/api/entries/${entry.id}` });
    assert.equal(fetched.status, 200);
    assert.deepEqual(JSON.parse(fetched.text), entry);
    const listed = JSON.parse((await send(port, { path: '/api/entries?limit=5' })).text);
    assert.ok(listed.entries.some((e: { id: number }) => e.id === entry.id));

    const invalid = await send(port, {
      method: 'POST',
      path: '/api/entries',
      headers: json,
      body: '{}',
    });
    assert.equal(invalid.status, 400, 'the app’s own validation answer passes through');
    assert.equal(JSON.parse(invalid.text).code, 'validation_failed');

    assert.equal(
      (await send(port, { method: 'DELETE', path: `/api/entries/${entry.id}` })).status,
      204,
    );
    const gone = await send(port, { path: `/api/entries/${entry.id}` });
    assert.equal(gone.status, 404);
    assert.equal(JSON.parse(gone.text).code, 'not_found');
  });

  await t.test('the request id goes to the app, into its log, and back to the client', async () => {
    const reply = await send(port, {
      path: '/healthz',
      headers: { 'x-request-id': 'round-trip-0042' },
    });
    assert.equal(reply.headers['x-request-id'], 'round-trip-0042');
    await until(() => appLine('round-trip-0042') !== undefined);

    const fresh = await send(port, { path: '/healthz', headers: { 'x-request-id': 'no' } });
    const id = String(fresh.headers['x-request-id']);
    assert.notEqual(id, 'no');
    await until(() => appLine(id) !== undefined, 2000);
  });

  await t.test('a forged X-Forwarded-For is replaced: the app sees the edge’s peer', async () => {
    const status = await getFrom('127.0.0.2', port, '/healthz', {
      'x-forwarded-for': '203.0.113.7',
      'x-request-id': 'forged-xff-0001',
    });
    assert.equal(status, 200);
    await until(() => appLine('forged-xff-0001') !== undefined);
    assert.equal(appLine('forged-xff-0001')?.clientAddress, '127.0.0.2');
  });

  await t.test('from a peer in EDGE_TRUSTED_PROXIES the chain is extended instead', async (t) => {
    const trusting = await startProxyingEdge(t, app.url, { trustedProxies: ['127.0.0.2'] });
    await getFrom('127.0.0.2', trusting.port, '/healthz', {
      'x-forwarded-for': '203.0.113.7',
      'x-request-id': 'trusted-xff-0001',
    });
    await until(() => appLine('trusted-xff-0001') !== undefined);
    assert.equal(appLine('trusted-xff-0001')?.clientAddress, '203.0.113.7');
  });

  await t.test('/static/ is served by the edge and never reaches the app', async () => {
    const before = app.lines.length;
    const css = await send(port, {
      path: `/static/${TABLE_CSS}`,
      headers: { 'x-request-id': 'static-0001' },
    });
    assert.equal(css.status, 200);
    assert.equal(css.headers['x-instance-id'], undefined);
    assert.equal((await send(port, { path: '/static/missing.css' })).status, 404);
    assert.equal(
      (await send(port, { method: 'POST', path: '/static/x.css', body: 'x' })).status,
      405,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      app.lines.slice(before).filter((line) => String(line.url ?? '').startsWith('/static/')),
      [],
    );
  });
});
