import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import { captureLog, testApp, testConfig } from './helpers/app.ts';

describe('request id, instance id and the request log line', () => {
  test('keeps a well-formed X-Request-Id and echoes it', async (t) => {
    const app = testApp(t);
    const res = await app.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'edge-1234:abcd' },
    });
    assert.equal(res.headers['x-request-id'], 'edge-1234:abcd');
  });

  test('replaces a malformed X-Request-Id with a new UUID', async (t) => {
    const app = testApp(t);
    const res = await app.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'short' },
    });
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  test('every response, errors included, names the instance', async (t) => {
    const app = testApp(t);
    for (const url of ['/healthz', '/nowhere', '/api/entries?limit=0']) {
      const res = await app.inject({ url });
      assert.equal(res.headers['x-instance-id'], hostname(), url);
      assert.ok(res.headers['x-request-id'], url);
    }
  });

  test('writes exactly one JSON line per request with its facts', async (t) => {
    const log = captureLog();
    const app = testApp(t, testConfig(), log);
    await app.inject({
      url: '/healthz?probe=1',
      headers: { 'x-request-id': 'trace-line-0001' },
      remoteAddress: '203.0.113.9',
    });
    const lines = log.lines.filter((line) => line.requestId === 'trace-line-0001');
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line?.msg, 'request completed');
    assert.equal(line?.method, 'GET');
    assert.equal(line?.url, '/healthz?probe=1');
    assert.equal(line?.statusCode, 200);
    assert.equal(typeof line?.durationMs, 'number');
    assert.equal(line?.clientAddress, '203.0.113.9');
  });

  test('with no trusted proxies, a client-sent X-Forwarded-For changes nothing', async (t) => {
    const log = captureLog();
    const app = testApp(t, testConfig(), log);
    await app.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'trace-xff-0001', 'x-forwarded-for': '198.51.100.7' },
      remoteAddress: '203.0.113.9',
    });
    const line = log.lines.find((l) => l.requestId === 'trace-xff-0001');
    assert.equal(line?.clientAddress, '203.0.113.9');
  });

  test('from a trusted proxy, X-Forwarded-For names the client; from elsewhere it is ignored', async (t) => {
    const log = captureLog();
    const app = testApp(t, testConfig({ APP_TRUSTED_PROXIES: '172.18.0.0/16' }), log);
    await app.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'trace-xff-0002', 'x-forwarded-for': '198.51.100.7' },
      remoteAddress: '172.18.0.5',
    });
    await app.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'trace-xff-0003', 'x-forwarded-for': '198.51.100.7' },
      remoteAddress: '203.0.113.9',
    });
    const viaEdge = log.lines.find((l) => l.requestId === 'trace-xff-0002');
    const direct = log.lines.find((l) => l.requestId === 'trace-xff-0003');
    assert.equal(viaEdge?.clientAddress, '198.51.100.7');
    assert.equal(direct?.clientAddress, '203.0.113.9');
  });
});
