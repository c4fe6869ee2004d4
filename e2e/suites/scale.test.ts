/**
 * Several app replicas behind one edge: the load spreads (by X-Instance-Id),
 * a killed replica fails no GET, new replicas join the rotation quickly.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { sleep } from '../src/containers.ts';
import { eventually } from '../src/http.ts';
import { describeLoad, getList, runLoad } from '../src/load.ts';
import type { Stack } from '../src/stack.ts';
import { useStack } from '../src/suite.ts';

/** `up --scale app=N` without touching the running containers, waiting for health. */
function scaleApp(stack: Stack, replicas: number): Promise<string> {
  return stack.run(
    'up',
    '--detach',
    '--wait',
    '--wait-timeout',
    '120',
    '--no-recreate',
    '--scale',
    `app=${replicas}`,
  );
}

/** The X-Instance-Id each replica answers with: its container's host name. */
async function instanceIds(stack: Stack): Promise<string[]> {
  const ids: string[] = [];
  for (const info of await stack.containers('app')) {
    if (info.State !== 'running') continue;
    ids.push((await stack.docker.getContainer(info.Id).inspect()).Config.Hostname);
  }
  return ids;
}

describe('scaling the app replicas', () => {
  const stack = useStack('scale');

  before(() => scaleApp(stack(), 3));

  test('with 3 replicas every replica serves traffic', async () => {
    const ids = await instanceIds(stack());
    assert.equal(ids.length, 3);
    // The edge re-resolves `app` every 2 s: give it a few rounds to see all three.
    const result = await eventually(
      async () => {
        const result = await runLoad(stack().origin, {
          durationMs: 5000,
          maxRequests: 90,
          next: getList,
        });
        assert.deepEqual(result.failures, []);
        assert.deepEqual([...result.byInstance.keys()].sort(), [...ids].sort());
        return result;
      },
      { timeoutMs: 15_000 },
    );
    console.log(describeLoad('3 replicas', result));
  });

  test('killing one replica during a steady GET load fails no request', async () => {
    const victim = await stack().container('app', 2);
    const victimId = (await victim.inspect()).Config.Hostname;
    let killedAt = Number.POSITIVE_INFINITY;
    let victimServed = 0;
    const load = runLoad(stack().origin, {
      durationMs: 8000,
      maxRequests: 50_000,
      next: getList,
      onResponse: (_status, instance) => {
        if (instance === victimId && performance.now() < killedAt) victimServed += 1;
      },
    });
    try {
      await sleep(2000);
      killedAt = performance.now();
      await victim.kill({ signal: 'SIGKILL' });
      const result = await load;
      console.log(describeLoad('kill one of 3 replicas under GET load', result));
      assert.ok(victimServed > 0, 'the killed replica was serving before the kill');
      assert.deepEqual(result.failures, []);
    } finally {
      await load;
      await scaleApp(stack(), 3);
    }
  });

  test('scaling to 5 under load brings the new replicas into rotation within 10 s', async () => {
    const existing = new Set(await instanceIds(stack()));
    const firstSeen = new Map<string, number>();
    const stop = new AbortController();
    const load = runLoad(stack().origin, {
      durationMs: 60_000,
      maxRequests: 200_000,
      next: getList,
      signal: stop.signal,
      onResponse: (_status, instance) => {
        if (instance && !firstSeen.has(instance)) firstSeen.set(instance, performance.now());
      },
    });
    try {
      await scaleApp(stack(), 5);
      const healthyAt = performance.now();
      const added = (await instanceIds(stack())).filter((id) => !existing.has(id));
      assert.equal(added.length, 2, 'two new replicas');
      // Until every new replica has answered, or 10 s after compose reported them healthy.
      while (added.some((id) => !firstSeen.has(id)) && performance.now() - healthyAt < 10_000) {
        await sleep(100);
      }
      for (const id of added) {
        const seen = firstSeen.get(id);
        assert.ok(
          seen !== undefined,
          `replica ${id} served no request within 10 s of being healthy`,
        );
        const lag = Math.max(0, (seen - healthyAt) / 1000);
        console.log(`# new replica ${id} in rotation ${lag.toFixed(1)} s after healthy`);
      }
    } finally {
      stop.abort();
    }
    const result = await load;
    console.log(describeLoad('scale 3 → 5 under GET load', result));
    assert.equal(result.byInstance.size, 5);
    assert.deepEqual(result.failures, []);
  });
});
