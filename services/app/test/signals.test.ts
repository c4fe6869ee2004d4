import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { UNREACHABLE_DATABASE_URL } from './helpers/app.ts';
import { freePort } from './helpers/postgres.ts';
import { finished, startScript } from './helpers/process.ts';

async function waitForListening(port: number) {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      return;
    } catch {
      await sleep(25);
    }
  }
  throw new Error('main never listened');
}

async function waitForDraining(port: number) {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    if (((await res.json()) as { code?: string }).code === 'draining') return;
    await sleep(25);
  }
  throw new Error('readyz never said draining');
}

describe('main: signals', () => {
  // The drain is a minute long: only the second signal can end the process
  // within the test's timeout.
  test('a second signal during the drain exits at once', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const child = startScript('main.ts', {
      DATABASE_URL: UNREACHABLE_DATABASE_URL,
      APP_PORT: String(port),
      APP_DRAIN_MS: '60000',
    });
    const exited = finished(child);
    try {
      await waitForListening(port);
      child.kill('SIGTERM');
      await waitForDraining(port);
      child.kill('SIGINT');
      const result = await exited;
      assert.equal(result.code, 1);
      assert.match(result.stdout, /second signal: exiting without draining/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
