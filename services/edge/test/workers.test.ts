import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '@stack/shared/testing';
import { get, makeStaticRoot, startMain, TABLE_CSS } from './helpers.ts';

test('a worker that dies while serving is replaced, and serving goes on', async (t) => {
  const { root } = await makeStaticRoot(t);
  // A fixed port: with port 0 a replacement would get a new random one.
  const { child, port, nextListening } = await startMain(t, {
    EDGE_STATIC_ROOT: root,
    EDGE_PORT: String(await freePort()),
  });
  const before = await get(port, `/static/${TABLE_CSS}`);
  assert.equal(before.status, 200);
  const [worker] = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  assert.ok(worker);
  const replaced = nextListening();
  process.kill(worker, 'SIGKILL');
  const newWorker = await replaced;
  assert.notEqual(newWorker, worker);
  assert.equal((await get(port, `/static/${TABLE_CSS}`)).status, 200);
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  assert.deepEqual(await exited, [0, null], 'a clean stop exits 0 despite the earlier death');
});

test('a worker that cannot start (port taken) stops the primary with exit 1', async (t) => {
  const blocker = createServer().listen(0, '0.0.0.0');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const address = blocker.address();
  assert.ok(address && typeof address === 'object');
  const { root } = await makeStaticRoot(t);
  const result = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('../src/main.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        EDGE_PORT: String(address.port),
        EDGE_WORKERS: '1',
        EDGE_STATIC_ROOT: root,
      },
      encoding: 'utf8',
      timeout: 15_000,
    },
  );
  assert.equal(result.status, 1);
  assert.match(result.stdout, /worker failed at start/);
});

test('EDGE_HOST binds the workers to that address alone', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port } = await startMain(t, { EDGE_STATIC_ROOT: root, EDGE_HOST: '127.0.0.2' });
  const answered = await new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.2', port, path: `/static/${TABLE_CSS}`, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(answered, 200);
  // 127.0.0.1 is another address on the same loopback: nothing listens there.
  await assert.rejects(get(port, `/static/${TABLE_CSS}`), { code: 'ECONNREFUSED' });
});
