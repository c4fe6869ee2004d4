/**
 * App replicas and the edge failing, restarting and stalling, seen through
 * the edge's published port. Two replicas, so a rolling restart has one to
 * lean on; a 3 s upstream timeout, so a stalled app costs seconds, not a minute.
 * Every test leaves both replicas running and healthy.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { pause, sleep, unpause, waitHealthy } from '../../src/containers.ts';
import {
  CREATE,
  createBody,
  createRecord,
  JSON_HEADERS,
  listPath,
  PAGE_PATH,
  recordPath,
} from '../../src/domain.ts';
import {
  assertErrorResponse,
  BYPASS_CACHE,
  eventually,
  rawRequest,
  tryFetch,
} from '../../src/http.ts';
import { describeLoad, mixed, runLoad } from '../../src/load.ts';
import type { Stack } from '../../src/stack.ts';
import { useStack } from '../../src/suite.ts';

const UPSTREAM_TIMEOUT_MS = 3000;
const EDGE_WORKERS = 2;
const GAP_CODES = ['upstream_unreachable', 'no_upstream'];

async function apps(stack: Stack): Promise<Docker.Container[]> {
  return (await stack.containers('app')).map((info) => stack.docker.getContainer(info.Id));
}

async function hostname(replica: Docker.Container): Promise<string> {
  return (await replica.inspect()).Config.Hostname;
}

/** Waits until the API answers 200 through the edge again. */
async function serving(stack: Stack, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      const res = await fetch(stack.url(listPath({ limit: 1 })), { headers: BYPASS_CACHE });
      await res.arrayBuffer();
      assert.equal(res.status, 200);
    },
    { timeoutMs },
  );
}

describe('app replicas and the edge failing', () => {
  const stack = useStack('faults-app', {
    env: {
      EDGE_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      EDGE_WORKERS: String(EDGE_WORKERS),
    },
  });

  before(async () => {
    await stack().run('up', '--detach', '--wait', '--no-recreate', '--scale', 'app=2');
    await serving(stack());
  });

  test('a rolling restart of the replicas under a mixed GET/POST load fails no request', async () => {
    const lastSeen = new Map<string, number>();
    const stop = new AbortController();
    const load = runLoad(stack().origin, {
      durationMs: 90_000,
      maxRequests: 1_000_000,
      next: mixed,
      signal: stop.signal,
      onResponse: (_status, instance) => {
        if (instance) lastSeen.set(instance, performance.now());
      },
    });
    try {
      await sleep(1000);
      for (const replica of await apps(stack())) {
        // `docker restart`: SIGTERM, the app drains (not ready at once, serving
        // on for APP_DRAIN_MS), exits, starts again.
        await replica.restart({ t: 20 });
        const restartedAt = performance.now();
        // Docker's healthy, and one answer from it through the edge, is all
        // an operator waits for. An edge worker may not have seen it pass its
        // own check yet when the next replica starts draining: the worker
        // then checks every address at once rather than answer no_upstream.
        await waitHealthy(replica);
        const name = await hostname(replica);
        await eventually(async () => assert.ok((lastSeen.get(name) ?? 0) > restartedAt), {
          timeoutMs: 15_000,
          intervalMs: 100,
        });
      }
      await sleep(1000);
    } finally {
      stop.abort();
    }
    const result = await load;
    console.log(describeLoad('rolling restart of 2 replicas, mixed load', result));
    assert.ok((result.byMethod.POST ?? 0) > 0 && (result.byMethod.GET ?? 0) > 0);
    assert.deepEqual(result.failures, []);
  });

  test('every replica stopped → what the edge kept is served stale, the rest 502/503 JSON', async () => {
    // The reads the app lets the edge keep, warmed on both workers (each a
    // new connection), and reads nobody asked for before the outage.
    const record = await createRecord(stack().url, 'Outage', 'kept by the edge');
    const kept = [listPath(), recordPath(record.id)];
    // One path after the other: alternating them would hand each path to
    // the same worker every time (round-robin over an even number).
    const bodies = new Map<string, string>();
    for (const path of kept) {
      for (let i = 0; i < 4 * EDGE_WORKERS; i++) {
        const res = await rawRequest(stack().origin, path);
        assert.equal(res.status, 200, path);
        bodies.set(path, res.body);
      }
    }
    const warmed = performance.now();
    const replicas = await apps(stack());
    await Promise.all(replicas.map((replica) => replica.stop({ t: 20 })));
    // Past the app's s-maxage (1 s), so every answer below is a stale one.
    await sleep(Math.max(0, 1500 - (performance.now() - warmed)));
    const outage = { sent: 0, fromCache: 0, errors: 0, details: new Map<string, number>() };
    try {
      // Path after path again, each request a new connection: each worker
      // is asked for each path.
      for (const path of kept) {
        for (let i = 0; i < 10 * EDGE_WORKERS; i++) {
          const res = await rawRequest(stack().origin, path);
          outage.sent++;
          const status = String(res.headers['cache-status']);
          assert.equal(res.status, 200, `${path}: ${status}`);
          assert.match(status, /fwd=stale/, path);
          assert.equal(res.body, bodies.get(path), `${path}: the body the app gave`);
          outage.fromCache++;
          const detail = /detail=([\w-]+)/.exec(status)?.[1] ?? 'none';
          outage.details.set(detail, (outage.details.get(detail) ?? 0) + 1);
        }
      }
      const never = listPath({ limit: 7 });
      for (let i = 0; i < 10 * EDGE_WORKERS; i++) {
        const missed = await rawRequest(stack().origin, never);
        outage.sent++;
        outage.errors++;
        assert.ok([502, 503].includes(missed.status), `${never}: ${missed.status}`);
        assert.ok(GAP_CODES.includes(JSON.parse(missed.body).code), missed.body);
      }
      const page = await fetch(stack().url(PAGE_PATH), { headers: { accept: 'text/html' } });
      assert.ok([502, 503].includes(page.status), 'the page is never kept');
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/, 'browsers get a page');
      await page.arrayBuffer();
      const health = await fetch(stack().url('/_edge/healthz'));
      assert.equal(health.status, 200, 'the edge itself stays healthy');
    } finally {
      await Promise.all(replicas.map((replica) => replica.start()));
    }
    const details = JSON.stringify(Object.fromEntries(outage.details));
    console.log(
      `# every replica stopped: ${outage.sent} GETs, ${outage.fromCache} answered stale from the edge's cache ${details}, ${outage.errors} uncached answered 502/503`,
    );
    await serving(stack());
  });

  test('`docker compose restart app` → 502/503 JSON during the gap, recovery by itself', async () => {
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    let last = 0;
    const stop = new AbortController();
    const probe = (async () => {
      while (!stop.signal.aborted) {
        const res = await tryFetch(stack().url(listPath({ limit: 1 })), { headers: BYPASS_CACHE });
        last = res?.status ?? 0;
        statuses.set(last, (statuses.get(last) ?? 0) + 1);
        if (!res) problems.push('no response');
        else if (res.status === 200) await res.arrayBuffer();
        else
          await assertErrorResponse(res, [502, 503], GAP_CODES).catch((e) =>
            problems.push(String(e)),
          );
        await sleep(100);
      }
    })();
    try {
      await stack().run('restart', 'app');
      await eventually(async () => assert.equal(last, 200), { timeoutMs: 30_000 });
    } finally {
      stop.abort();
      await probe;
    }
    console.log(
      `# compose restart app, probe statuses: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.deepEqual(problems, []);
    assert.ok((statuses.get(502) ?? 0) + (statuses.get(503) ?? 0) > 0, 'the gap was seen');
    await serving(stack());
  });

  test('every replica paused → 504 upstream_timeout after EDGE_UPSTREAM_TIMEOUT_MS', async () => {
    const replicas = await apps(stack());
    try {
      await Promise.all(replicas.map((replica) => pause(replica)));
      const started = performance.now();
      // A POST: never retried on another replica, so one timeout is measured.
      const res = await fetch(stack().url(CREATE.path), {
        method: CREATE.method,
        headers: JSON_HEADERS,
        body: createBody('Paused', 'waits for a frozen app'),
      });
      const elapsed = performance.now() - started;
      await assertErrorResponse(res, [504], ['upstream_timeout']);
      // undici rounds timers above 1 s to about half a second.
      assert.ok(elapsed >= UPSTREAM_TIMEOUT_MS - 600, `answered after ${elapsed.toFixed(0)} ms`);
      assert.ok(elapsed < UPSTREAM_TIMEOUT_MS + 5000, `answered after ${elapsed.toFixed(0)} ms`);
    } finally {
      await Promise.all(replicas.map((replica) => unpause(replica)));
    }
    await serving(stack());
  });

  test('the edge restarted → serving again', async () => {
    const edge = await stack().container('edge');
    const startedBefore = (await edge.inspect()).State.StartedAt;
    await edge.restart({ t: 10 });
    await waitHealthy(edge);
    assert.notEqual((await edge.inspect()).State.StartedAt, startedBefore, 'restarted');
    await stack().refreshOrigin();
    await serving(stack());
    const health = await fetch(stack().url('/_edge/healthz'));
    assert.equal(health.status, 200);
  });
});
