import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import pkg from '../package.json' with { type: 'json' };
import { testApp, testConfig } from './helpers/app.ts';

describe('health and readiness (in-process)', () => {
  test('/healthz answers 200 with status, version and instance without a database', async (t) => {
    const app = testApp(t);
    const res = await app.inject({ url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', version: pkg.version, instance: hostname() });
  });

  test('/healthz reports APP_VERSION when it is set', async (t) => {
    const app = testApp(t, testConfig({ APP_VERSION: '2026.11.27-abc123' }));
    const res = await app.inject({ url: '/healthz' });
    assert.equal(res.json().version, '2026.11.27-abc123');
  });

  test('/readyz answers 503 draining once draining starts, before asking the database', async (t) => {
    const app = testApp(t);
    await app.ready();
    app.startDraining();
    const res = await app.inject({ url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, 'draining');
  });

  test('while draining, every response asks the client to close its connection', async (t) => {
    const app = testApp(t);
    const before = await app.inject({ url: '/healthz' });
    assert.notEqual(before.headers.connection, 'close');
    app.startDraining();
    for (const url of ['/healthz', '/readyz', '/nowhere']) {
      const res = await app.inject({ url });
      assert.equal(res.headers.connection, 'close', url);
    }
  });
});
