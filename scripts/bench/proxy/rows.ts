/**
 * The proxied rows of the benchmark, callable by a bench runner:
 * `measureProxiedRows()` starts an upstream (or uses the one given, such as
 * the app's JSON endpoint), then each proxy in front of it in turn, one
 * process each, and measures it with wrk. The edge runs with its cache
 * off: these rows are about the proxy path (the cache has its own rows,
 * cache-rows.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, hasCommand, waitForPort } from '../processes.ts';
import { MIN_ROUNDS } from '../rounds.ts';
import {
  edgeMain,
  measureTargets,
  node,
  type ProxiedRow,
  stopChild,
  type Target,
} from './measure.ts';
import { REFERENCES, type Reference } from './references.ts';

export type { ProxiedRow } from './measure.ts';

export interface ProxiedRowsOptions {
  /** An upstream already running (e.g. the app); by default a bare node:http one is started. */
  upstreamUrl?: string;
  /** Its pid, for the CPU column of the "upstream direct" row. */
  upstreamPid?: number;
  path?: string;
  connections?: number;
  duration?: string;
  /** Interleaved rounds over all targets (3 by default), summarized as medians with their spread. */
  runs?: number;
  /** Skip references whose binary is missing instead of failing. */
  skipMissing?: boolean;
  progress?: (line: string) => void;
}

const NO_CACHE = { EDGE_CACHE: 'off' };

export async function measureProxiedRows(options: ProxiedRowsOptions = {}): Promise<ProxiedRow[]> {
  const {
    path = '/',
    connections = 50,
    duration = '5s',
    runs = MIN_ROUNDS,
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
      { name: 'upstream direct (no proxy)', node: false, start: () => null },
      {
        name: 'bare node:http + undici dispatch',
        node: true,
        start: (p) => node(['bare', String(p), url], dir),
      },
      {
        name: 'edge (main.ts, 1 worker, access log on)',
        node: true,
        worker: true,
        start: (p) => edgeMain(p, url, dir, 'info', NO_CACHE),
      },
      {
        name: 'edge, access log off',
        node: true,
        worker: true,
        start: (p) => edgeMain(p, url, dir, 'warn', NO_CACHE),
      },
      ...REFERENCES.filter((ref) => available(ref, skipMissing, progress)).map((ref) => ({
        name: ref.name,
        node: false,
        start: (p: number) => ref.start(dir, p, upstreamPort),
      })),
    ];
    const rows = await measureTargets(
      targets,
      { upstreamPort, upstreamPid, path, connections, duration, runs, dir, progress },
      children,
    );
    rmSync(dir, { recursive: true, force: true });
    return rows;
  } finally {
    await Promise.all(children.map(stopChild));
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
