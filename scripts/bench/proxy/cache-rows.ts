/**
 * The cache rows: the app's JSON list (which the app marks `public,
 * s-maxage=1, stale-while-revalidate=30`) through the edge with its cache
 * off (every request reaches the app) and on (hits, refreshed in the
 * background once a second), through nginx's `proxy_cache` set up as
 * microcaching guides do (lock, background update, stale while updating),
 * and the edge's static fast path on a 1 KiB file, the ceiling a hit is
 * held to. One process each, interleaved rounds (measure.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from '../processes.ts';
import { ONE, writeFiles } from '../static-files.ts';
import { edgeMain, measureTargets, type ProxiedRow, stopChild, type Target } from './measure.ts';
import { startNginxProxy } from './references.ts';

export const CACHE_TARGETS = {
  off: 'edge, cache off (every request to the app)',
  hit: 'edge, cache on (hits)',
  nginx: 'nginx proxy_cache (hits)',
  fast: 'edge static fast path (1 KiB file)',
} as const;

export interface CacheRowsOptions {
  upstreamUrl: string;
  upstreamPid?: number | undefined;
  path: string;
  connections: number;
  duration: string;
  runs: number;
  progress: (line: string) => void;
}

/** microcaching as nginx's guides set it up: a lock, background updates, stale while updating. */
const NGINX_MICROCACHE = (dir: string) => `
  proxy_cache_path ${dir}/nginx-cache keys_zone=micro:10m max_size=32m inactive=60s use_temp_path=off;
  proxy_cache micro;
  proxy_cache_lock on;
  proxy_cache_background_update on;
  proxy_cache_use_stale updating error timeout http_500 http_502 http_503 http_504;
  add_header X-Cache-Status $upstream_cache_status;`;

async function head(url: string): Promise<Headers> {
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return res.headers;
}

/** Like with like: the hit rows must hit (a second GET), the others answer 200. */
async function check(target: Target, url: string): Promise<void> {
  await head(url);
  const second = await head(url);
  const hit =
    target.name === CACHE_TARGETS.hit
      ? /^edge; hit/.test(second.get('cache-status') ?? '')
      : target.name === CACHE_TARGETS.nginx
        ? second.get('x-cache-status') === 'HIT'
        : true;
  if (!hit) throw new Error(`${target.name}: the second GET was not a cache hit`);
}

export async function measureCacheRows(options: CacheRowsOptions): Promise<ProxiedRow[]> {
  const { upstreamUrl: url, progress } = options;
  const dir = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  writeFiles(dir);
  const upstreamPort = Number(new URL(url).port || 80);
  const children: ChildProcess[] = [];
  const targets: Target[] = [
    {
      name: CACHE_TARGETS.off,
      node: true,
      worker: true,
      start: (p) => edgeMain(p, url, dir, 'info', { EDGE_CACHE: 'off' }),
    },
    {
      name: CACHE_TARGETS.hit,
      node: true,
      worker: true,
      start: (p) => edgeMain(p, url, dir, 'info'),
    },
    {
      name: CACHE_TARGETS.fast,
      node: true,
      worker: true,
      path: `/static/${ONE}`,
      start: (p) => edgeMain(p, url, dir, 'info'),
    },
  ];
  if (hasCommand('nginx')) {
    targets.push({
      name: CACHE_TARGETS.nginx,
      node: false,
      start: (p) => startNginxProxy(dir, p, upstreamPort, 'nginx-cache', NGINX_MICROCACHE(dir)),
    });
  } else {
    progress('nginx not installed: its row is skipped');
  }
  try {
    const rows = await measureTargets(targets, { ...options, upstreamPort, dir, check }, children);
    rmSync(dir, { recursive: true, force: true });
    return rows;
  } finally {
    await Promise.all(children.map(stopChild));
  }
}
