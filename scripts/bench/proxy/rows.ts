/**
 * The proxied rows of the benchmark, callable by a bench runner:
 * `measureProxiedRows()` starts an upstream (or uses the one given, such as
 * the app's JSON endpoint), then each proxy in front of it in turn, one
 * process each, and measures it with wrk.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenOf, freePort, hasCommand, memory, waitForPort } from '../processes.ts';
import { type WrkResult, wrk } from '../wrk.ts';
import { REFERENCES, type Reference } from './references.ts';

const SERVE = fileURLToPath(new URL('./serve.ts', import.meta.url));
const EDGE_MAIN = fileURLToPath(new URL('../../../services/edge/src/main.ts', import.meta.url));

export interface ProxiedRow extends WrkResult {
  target: string;
  /**
   * CPU time the target's processes spent per request, in microseconds: far
   * steadier than req/s on a shared machine, since other work slows the
   * target down but does not make it burn more CPU per request.
   */
  cpuUsPerRequest?: number;
  /** Resident memory of the target's process after the run, MiB (Node targets). */
  rssMiB?: number;
}

export interface ProxiedRowsOptions {
  /** An upstream already running (e.g. the app); by default a bare node:http one is started. */
  upstreamUrl?: string;
  /** Its pid, for the CPU column of the "upstream direct" row. */
  upstreamPid?: number;
  path?: string;
  connections?: number;
  duration?: string;
  /** Best of this many rounds over all targets, best of two by default. */
  runs?: number;
  /** Skip references whose binary is missing instead of failing. */
  skipMissing?: boolean;
  progress?: (line: string) => void;
}

async function stop(child: ChildProcess): Promise<void> {
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

function node(args: string[], dir: string): ChildProcess {
  return spawn(process.execPath, [SERVE, ...args], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * The real edge (main.ts: primary + 1 worker), proxying to `upstream`;
 * `logLevel: 'warn'` turns the access log off to show what it costs.
 */
function edgeMain(port: number, upstream: string, dir: string, logLevel: string): ChildProcess {
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
    },
    stdio: ['ignore', log, log],
  });
}

interface Target {
  name: string;
  start(port: number): ChildProcess;
  node: boolean;
  /** Whose RSS to report: the process itself, or the edge's worker. */
  worker?: boolean;
}

export async function measureProxiedRows(options: ProxiedRowsOptions = {}): Promise<ProxiedRow[]> {
  const {
    path = '/',
    connections = 50,
    duration = '5s',
    runs = 2,
    skipMissing = true,
    progress = () => {},
  } = options;
  const dir = mkdtempSync(join(tmpdir(), 'bench-proxy-'));
  const children: ChildProcess[] = [];
  try {
    let upstreamUrl = options.upstreamUrl;
    let upstreamPid = options.upstreamPid;
    if (upstreamUrl === undefined) {
      const port = await freePort();
      const upstream = node(['upstream', String(port)], dir);
      upstreamPid = upstream.pid;
      children.push(upstream);
      await waitForPort(port, upstream);
      upstreamUrl = `http://127.0.0.1:${port}`;
    }
    const upstreamPort = Number(new URL(upstreamUrl).port || 80);
    const url = upstreamUrl;
    const targets: Target[] = [
      {
        name: 'upstream direct (no proxy)',
        node: false,
        start: () => null as unknown as ChildProcess,
      },
      {
        name: 'bare node:http + undici dispatch',
        node: true,
        start: (p) => node(['bare', String(p), url], dir),
      },
      {
        name: 'edge (main.ts, 1 worker, access log on)',
        node: true,
        worker: true,
        start: (p) => edgeMain(p, url, dir, 'info'),
      },
      {
        name: 'edge, access log off',
        node: true,
        worker: true,
        start: (p) => edgeMain(p, url, dir, 'warn'),
      },
      ...REFERENCES.filter((ref) => available(ref, skipMissing, progress)).map((ref) => ({
        name: ref.name,
        node: false,
        start: (p: number) => ref.start(dir, p, upstreamPort),
      })),
    ];
    // Rounds over every target rather than runs per target: on a machine
    // shared with other work, load drifts, and interleaving spreads the drift
    // over all rows instead of punishing whichever ran during a busy spell.
    const best = new Map<Target, ProxiedRow>();
    for (let round = 1; round <= runs; round++) {
      for (const target of targets) {
        const direct = target.name.startsWith('upstream direct');
        const port = direct ? upstreamPort : await freePort();
        const child = direct ? null : target.start(port);
        if (child !== null) {
          children.push(child);
          await waitForPort(port, child).catch((error: Error) => {
            throw new Error(`${target.name}: ${error.message}; its output is in ${dir}`);
          });
        }
        const targetUrl = `http://127.0.0.1:${port}${path}`;
        progress(`round ${round}/${runs}, ${target.name}`);
        await wrk(targetUrl, { connections, duration: '1s' });
        const pid = direct ? upstreamPid : child?.pid;
        const before = cpuTicks(pid);
        const result = await wrk(targetUrl, { connections, duration });
        const after = cpuTicks(pid);
        const row: ProxiedRow = { target: target.name, ...result };
        if (before !== undefined && after !== undefined && result.requests > 0) {
          row.cpuUsPerRequest = ((after - before) * TICK_MS * 1000) / result.requests;
        }
        if (target.node && child !== null) {
          const rss = memory(target.worker ? workerOf(child.pid) : child.pid)?.rssMiB;
          if (rss !== undefined) row.rssMiB = Math.round(rss);
        }
        progress(`  ${Math.round(row.rps)} req/s`);
        if (row.rps > (best.get(target)?.rps ?? -1)) best.set(target, row);
        if (child !== null) await stop(child);
      }
    }
    const rows = targets.map((target) => best.get(target) as ProxiedRow);
    rmSync(dir, { recursive: true, force: true });
    return rows;
  } finally {
    await Promise.all(children.map(stop));
  }
}

function available(
  ref: Reference,
  skipMissing: boolean,
  progress: (line: string) => void,
): boolean {
  if (hasCommand(ref.command)) return true;
  if (!skipMissing) throw new Error(`${ref.command} is not installed`);
  progress(`${ref.command} not installed: its row is skipped`);
  return false;
}
