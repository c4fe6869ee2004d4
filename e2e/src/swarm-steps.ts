/**
 * What both swarm suites do around a step: hold the load through one edge or
 * several for the whole step, read the page and its assets, ask every
 * replica its version, and print a script's output.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tasks } from '../../scripts/swarm/swarm.ts';
import { sleep } from './containers.ts';
import { staticPaths } from './http.ts';
import { describeLoad, type LoadResult, postEvery, runLoad } from './load.ts';
import { docker } from './stack.ts';
import { type ScriptRun, swarmScript } from './swarm.ts';

/** The connections of every step's load, spread over the edges given. */
const CONNECTIONS = 24;
/** Bounds, should a step hang: the step's own timeouts fail it first. */
const LOAD_BOUND_MS = 15 * 60_000;

/**
 * Runs `step` under a load through `origins` (the edges), from a second
 * before it to a second after; every third request a POST, none retried.
 */
export async function underLoad(
  name: string,
  origins: readonly string[],
  step: () => Promise<void>,
  onResponse?: (status: number, instance: string | undefined) => void,
): Promise<LoadResult> {
  const stop = new AbortController();
  const loads = origins.map((origin) =>
    runLoad(origin, {
      connections: Math.ceil(CONNECTIONS / origins.length),
      durationMs: LOAD_BOUND_MS,
      maxRequests: 2_000_000,
      next: postEvery(3),
      signal: stop.signal,
      ...(onResponse ? { onResponse } : {}),
    }),
  );
  try {
    await sleep(1000);
    await step();
    await sleep(1000);
  } finally {
    stop.abort();
  }
  const result = merge(await Promise.all(loads));
  console.log(describeLoad(name, result));
  // Held for the whole step: the step, not a bound, ended it.
  assert.ok(result.seconds < LOAD_BOUND_MS / 1000, 'the load ran until the step was over');
  return result;
}

function merge(results: LoadResult[]): LoadResult {
  const merged: LoadResult = {
    sent: 0,
    byMethod: {},
    byInstance: new Map(),
    failures: [],
    seconds: 0,
  };
  for (const r of results) {
    merged.sent += r.sent;
    for (const [method, n] of Object.entries(r.byMethod)) {
      merged.byMethod[method] = (merged.byMethod[method] ?? 0) + n;
    }
    for (const [id, n] of r.byInstance)
      merged.byInstance.set(id, (merged.byInstance.get(id) ?? 0) + n);
    merged.failures.push(...r.failures);
    merged.seconds = Math.max(merged.seconds, r.seconds);
  }
  return merged;
}

export function assertNoFailures(result: LoadResult): void {
  assert.ok(result.sent > 500, `the load ran (${result.sent} requests)`);
  assert.deepEqual(
    result.failures.slice(0, 5),
    [],
    `${result.failures.length} of ${result.sent} requests failed`,
  );
}

/**
 * After a failed step: each task of `service` Swarm still remembers (state,
 * and why it ended), and the last lines of each of its task logs in
 * `artifacts`. CI keeps only the suite's output; a crash or a failed health
 * check shows here, not in a kept file.
 */
export async function printTaskHistory(
  service: string,
  artifacts: string,
  lines = 20,
): Promise<void> {
  for (const task of await tasks(service).catch(() => [])) {
    const at = new Date(task.createdAt).toISOString();
    console.log(
      `# ${service} task ${task.id.slice(0, 12)} created ${at}: ${task.state} (desired ${task.desiredState})${task.error ? `: ${task.error}` : ''}`,
    );
  }
  const files = (await readdir(artifacts).catch(() => [] as string[])).filter((f) =>
    f.startsWith(`${service}.`),
  );
  for (const file of files) {
    const text = await readFile(join(artifacts, file), 'utf8');
    for (const line of text.trimEnd().split('\n').slice(-lines)) console.log(`# ${file}: ${line}`);
  }
}

export function printScript(name: string, run: ScriptRun): void {
  for (const line of `${run.stdout}${run.stderr}`.split('\n').filter(Boolean)) {
    console.log(`# ${name}: ${line}`);
  }
  console.log(`# ${name}: exit ${run.code} after ${run.seconds.toFixed(1)} s`);
}

/** The page through the edge at `origin`, and the /static/ paths it names. */
export async function page(origin: string): Promise<{ assets: string[]; css: string }> {
  const res = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
  assert.equal(res.status, 200);
  const html = await res.text();
  const assets = staticPaths(html);
  const css = assets.find((path) => path.endsWith('.css'));
  assert.ok(css, `the page names a stylesheet: ${assets.join(', ')}`);
  return { assets, css };
}

/** Each path answers 200 through the edge at `origin`. */
export async function assertAssetsLoad(
  origin: string,
  paths: readonly string[],
  why = 'loads',
): Promise<void> {
  for (const path of paths) {
    const res = await fetch(`${origin}${path}`);
    assert.equal(res.status, 200, `${origin}${path} ${why}`);
    await res.arrayBuffer();
  }
}

/** `/healthz` through the edge at `origin`, enough times to reach every replica. */
export async function versions(
  origin: string,
): Promise<{ versions: Set<string>; instances: Set<string> }> {
  const seen = { versions: new Set<string>(), instances: new Set<string>() };
  for (let i = 0; i < 30; i += 1) {
    const res = await fetch(`${origin}/healthz`);
    const body = (await res.json()) as { version: string; instance: string };
    seen.versions.add(body.version);
    seen.instances.add(body.instance);
  }
  return seen;
}

/**
 * A swarm suite's teardown, each part run whatever failed before it: the
 * stack removed with its volumes (when the suite got as far as a swarm),
 * the log followers stopped, the swarm released, the fixture tags removed,
 * the artifacts deleted after a green run (kept with E2E_KEEP_ARTIFACTS),
 * and the stack's removal asserted.
 */
export async function tearDownSuite(options: {
  env: Record<string, string>;
  leased: boolean;
  stopLogs: () => Promise<unknown>;
  release: () => Promise<unknown>;
  failed: boolean;
  artifacts: string;
  tags: readonly string[];
}): Promise<void> {
  const { env, leased, failed, artifacts, tags } = options;
  // Without a swarm no stack of this run can exist: nothing to remove.
  const removed = leased ? await swarmScript('remove', ['--volumes'], env) : undefined;
  if (removed) printScript('remove', removed);
  try {
    await options.stopLogs();
  } finally {
    try {
      await options.release();
    } finally {
      for (const tag of tags) {
        await docker
          .getImage(tag)
          .remove()
          .catch(() => undefined);
      }
    }
  }
  if (!failed && removed?.code === 0 && !process.env.E2E_KEEP_ARTIFACTS) {
    await rm(artifacts, { recursive: true, force: true });
  }
  if (removed) assert.equal(removed.code, 0, removed.stderr);
}
