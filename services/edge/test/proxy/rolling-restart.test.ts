import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBody, send, sleep, startCheckedReplicas } from './helpers.ts';

test('a replica draining as the app does (not ready, then closed) loses no POST', async (t) => {
  const ready = [true, true];
  const received: string[] = [];
  const { replicas, edge } = await startCheckedReplicas(t, ready, (i) => async (req, res) => {
    received.push((await readBody(req)).toString());
    setTimeout(() => res.end(`replica ${i}`), 5);
  });

  let sent = 0;
  let running = true;
  const statuses: number[] = [];
  const client = async () => {
    while (running) {
      const body = `order-${sent++}`;
      statuses.push((await send(edge.port, { method: 'POST', path: '/orders', body })).status);
    }
  };
  const load = Promise.all([client(), client(), client(), client()]);

  await sleep(150);
  // SIGTERM on the replica: not ready at once, serving on for the drain
  // period (longer than the health interval), then closed.
  ready[1] = false;
  await sleep(300);
  replicas[1]?.server.close();
  await sleep(300);
  running = false;
  await load;

  assert.deepEqual(new Set(statuses), new Set([200]));
  assert.equal(received.length, sent);
  assert.equal(new Set(received).size, sent, 'a POST reached the replicas twice');
  assert.equal(edge.proxy.stats().retries, 0);
});
