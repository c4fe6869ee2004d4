import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { get, makeStaticRoot, startMain, write } from './helpers.ts';

const BIG = 16 * 1024 * 1024;

test('SIGTERM: healthz 503 at once, the in-flight download completes, idle connections close, exit 0', async (t) => {
  const { root } = await makeStaticRoot(t);
  await write(root, 'big.bin', randomBytes(BIG));
  const { child, port } = await startMain(t, {
    EDGE_STATIC_ROOT: root,
    EDGE_DRAIN_MS: '1500',
    EDGE_SHUTDOWN_GRACE_MS: '20000',
  });

  // An idle keep-alive connection: unless the worker closes it, close() waits on it.
  const idle = connect(port, '127.0.0.1');
  idle.write('GET /_edge/healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await once(idle, 'data');
  const idleClosed = once(idle, 'close');

  // A slow client: takes the response head of a 16 MiB file, then stops reading.
  const req = request({ host: '127.0.0.1', port, path: '/static/big.bin', agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.pause();
  await sleep(200);

  const exited = once(child, 'exit');
  const signalled = Date.now();
  child.kill('SIGTERM');
  while ((await get(port, '/_edge/healthz')).status !== 503) await sleep(10);
  assert.ok(Date.now() - signalled < 1500, 'healthz said draining within the drain period');
  assert.equal((await get(port, '/static/robots.txt')).status, 200, 'still serving meanwhile');

  // After EDGE_DRAIN_MS the worker closes, and with it the idle connection.
  await idleClosed;
  let received = 0;
  res.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  res.resume();
  await once(res, 'end');
  assert.equal(res.statusCode, 200);
  assert.equal(received, BIG, 'every byte of the in-flight download arrived');
  const [code] = await exited;
  assert.equal(code, 0);
});
