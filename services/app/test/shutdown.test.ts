import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { appEnv, freePort, migrate, type Postgres, startPostgres } from './helpers/postgres.ts';
import { finished, startScript } from './helpers/process.ts';

const DRAIN_MS = 1500;

let db: Postgres | undefined;
let child: ChildProcess | undefined;

async function readyz(port: number): Promise<{ status: number; code?: string } | 'refused'> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body = (await res.json()) as { code?: string };
    return { status: res.status, ...(body.code ? { code: body.code } : {}) };
  } catch {
    return 'refused';
  }
}

/** Polls for up to 30 s: a start on a loaded CI machine has taken over 10. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string) {
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    const value = await probe();
    if (done(value)) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Sends a POST's head and half its body; the rest waits for `finish()`. */
function slowPost(port: number, payload: string) {
  const half = Math.floor(payload.length / 2);
  const req = request({
    port,
    host: '127.0.0.1',
    method: 'POST',
    path: '/api/entries',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  req.write(payload.slice(0, half));
  return { response, finish: () => req.end(payload.slice(half)) };
}

describe('main: graceful shutdown (real PostgreSQL 17, real process)', () => {
  before(async () => {
    db = await startPostgres();
    await migrate(db);
  });
  after(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await db?.stop();
  });

  test('SIGTERM: readyz turns 503 draining, a slow in-flight POST completes 201, exit 0', async (t) => {
    if (!db) throw new Error('PostgreSQL did not start');
    const port = await freePort();
    const started = performance.now();
    child = startScript('main.ts', {
      ...appEnv(db),
      APP_PORT: String(port),
      APP_DRAIN_MS: String(DRAIN_MS),
      APP_LOG_LEVEL: 'info',
    });
    const exited = finished(child);
    await until(
      () => readyz(port),
      (r) => r !== 'refused' && r.status === 200,
      'readyz 200',
    );
    t.diagnostic(`process start to /readyz 200: ${Math.round(performance.now() - started)} ms`);

    const post = slowPost(port, JSON.stringify({ author: 'Slow Sam', message: 'still typing…' }));
    // Let the server read the request head before the signal arrives.
    await sleep(200);
    child.kill('SIGTERM');

    const draining = await until(
      () => readyz(port),
      (r) => r !== 'refused' && r.status === 503,
      'readyz 503',
    );
    assert.deepEqual(draining, { status: 503, code: 'draining' });

    // After the drain the server stops accepting: only then finish the body,
    // so the request is in flight through app.close().
    await until(
      () => readyz(port),
      (r) => r === 'refused',
      'the listener to close',
    );
    post.finish();

    const res = await post.response;
    assert.equal(res.status, 201, res.body);
    assert.equal(JSON.parse(res.body).author, 'Slow Sam');

    const result = await exited;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /"msg":"draining"/);
    assert.match(result.stdout, /"msg":"stopped"/);
  });
});
