/**
 * The measuring loop the proxied rows and the cache rows share: each target
 * in its own process, one at a time, its CPU time read from /proc around
 * the measured wrk run, its memory at rest and at peak, over interleaved
 * rounds summarized as medians with their spread (../rounds.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { higher, memoryOf, samplePeak, type WorkerMemory } from '../memory.ts';
import { childrenOf, freePort, waitForPort } from '../processes.ts';
import { type Figure, figure, type Sample, type Summary, summarize } from '../rounds.ts';
import { wrk } from '../wrk.ts';

const SERVE = fileURLToPath(new URL('./serve.ts', import.meta.url));
const EDGE_MAIN = fileURLToPath(new URL('../../../services/edge/src/main.ts', import.meta.url));

export interface ProxiedRow extends Summary {
  target: string;
  /** CPU µs per request the upstream (the app) spent meanwhile: what a cache saves it. */
  upstreamCpuUs?: Figure;
  /** Node targets': the process's, or for the edge its worker's. */
  memory?: WorkerMemory;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of `pid` and its direct children (nginx's worker), in clock ticks. */
function cpuTicks(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid ... utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === pid || Number(fields[1]) === pid) {
        total += Number(fields[11]) + Number(fields[12]);
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

/** The edge's RSS is its worker's (the primary only forks and relays). */
function workerOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  return childrenOf(pid)[0] ?? pid;
}

/** One of serve.ts's servers in its own process. */
export function node(args: string[], dir: string): ChildProcess {
  return spawn(process.execPath, [SERVE, ...args], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * The real edge (main.ts: primary + 1 worker), proxying to `upstream`;
 * `logLevel: 'warn'` turns the access log off to show what it costs.
 */
export function edgeMain(
  port: number,
  upstream: string,
  dir: string,
  logLevel: string,
  env: Record<string, string> = {},
): ChildProcess {
  const staticRoot = join(dir, 'static');
  mkdirSync(staticRoot, { recursive: true });
  const log = openSync(join(dir, `edge-${logLevel}.log`), 'a');
  return spawn(process.execPath, [EDGE_MAIN], {
    cwd: dir,
    env: {
      ...process.env,
      EDGE_PORT: String(port),
      EDGE_WORKERS: '1',
      EDGE_STATIC_ROOT: staticRoot,
      EDGE_UPSTREAM: upstream,
      EDGE_LOG_LEVEL: logLevel,
      ...env,
    },
    stdio: ['ignore', log, log],
  });
}

export interface Target {
  name: string;
  /** null: the upstream itself, measured where it listens. */
  start(port: number): ChildProcess | null;
  node: boolean;
  /** Whose RSS to report: the process itself, or the edge's worker. */
  worker?: boolean;
  /** The request path, when not the rows' own. */
  path?: string;
}

export interface MeasureOptions {
  /** Where the upstream listens: the "upstream direct" target is measured there. */
  upstreamPort: number;
  upstreamPid?: number | undefined;
  path: string;
  connections: number;
  duration: string;
  runs: number;
  dir: string;
  progress: (line: string) => void;
  /** Run once per target after it listens, before any load: a like-with-like check. */
  check?: (target: Target, url: string) => Promise<void>;
}

/**
 * Rounds over every target rather than runs per target: on a machine
 * shared with other work, load drifts, and interleaving spreads the drift
 * over all rows instead of punishing whichever ran during a busy spell.
 * `children` collects what was started, for the caller to stop on failure.
 */
export async function measureTargets(
  targets: readonly Target[],
  options: MeasureOptions,
  children: ChildProcess[],
): Promise<ProxiedRow[]> {
  const { connections, duration, runs, dir, progress } = options;
  const samples = new Map<Target, Sample[]>();
  const upstreamCpu = new Map<Target, number[]>();
  const mem = new Map<Target, WorkerMemory>();
  for (let round = 1; round <= runs; round++) {
    for (const target of targets) {
      const port = await freePort();
      const child = target.start(port);
      if (child !== null) {
        children.push(child);
        await waitForPort(port, child).catch((error: Error) => {
          throw new Error(`${target.name}: ${error.message}; its output is in ${dir}`);
        });
      }
      const listening = child === null ? options.upstreamPort : port;
      const url = `http://127.0.0.1:${listening}${target.path ?? options.path}`;
      if (round === 1) await options.check?.(target, url);
      const watched = target.node && child !== null ? memoryPid(target, child) : undefined;
      const m = mem.get(target) ?? {};
      if (watched) {
        m.rest = higher(m.rest, memoryOf(watched()));
        mem.set(target, m);
      }
      progress(`round ${round}/${runs}, ${target.name}`);
      await wrk(url, { connections, duration: '1s' });
      const pid = child === null ? options.upstreamPid : child.pid;
      const upstreamPid = child === null ? undefined : options.upstreamPid;
      const before = cpuTicks(pid);
      const upstreamBefore = cpuTicks(upstreamPid);
      const stopSampling = watched ? samplePeak(watched) : undefined;
      const result = await wrk(url, { connections, duration });
      const peak = stopSampling?.();
      const after = cpuTicks(pid);
      const upstreamAfter = cpuTicks(upstreamPid);
      const perRequest = (from: number | undefined, to: number | undefined) =>
        from !== undefined && to !== undefined && result.requests > 0
          ? ((to - from) * TICK_MS * 1000) / result.requests
          : Number.NaN;
      const cpuUs = perRequest(before, after);
      samples.set(target, [...(samples.get(target) ?? []), { ...result, cpuUs }]);
      if (upstreamPid !== undefined) {
        const app = perRequest(upstreamBefore, upstreamAfter);
        upstreamCpu.set(target, [...(upstreamCpu.get(target) ?? []), app]);
      }
      if (watched) m.peak = higher(m.peak, peak);
      progress(`  ${Math.round(result.rps)} req/s, ${cpuUs.toFixed(1)} µs CPU/request`);
      if (child !== null) await stopChild(child);
    }
  }
  return targets.map((target) => {
    const row: ProxiedRow = { target: target.name, ...summarize(samples.get(target) ?? []) };
    const app = upstreamCpu.get(target);
    if (app) row.upstreamCpuUs = figure(app);
    const m = mem.get(target);
    if (m) row.memory = m;
    return row;
  });
}

/** The pid whose memory a Node target reports: the edge's worker, or the process itself. */
function memoryPid(target: Target, child: ChildProcess): () => number[] {
  return () => {
    const pid = target.worker ? workerOf(child.pid) : child.pid;
    return pid === undefined ? [] : [pid];
  };
}
