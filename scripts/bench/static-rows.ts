/**
 * The static rows: the edge (fast path, and its table via a Fastify route),
 * bare Node replaying the edge's own answers, nginx and Caddy, on the same
 * files; every target is checked to answer each row alike before wrk runs.
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { addPeak, memoryOf, samplePeak, type WorkerMemory } from './memory.ts';
import { childrenOf, cpuSeconds, freePort, waitForPort } from './processes.ts';
import { type Sample, summarize } from './rounds.ts';
import { HUNDRED, ONE, writeFiles, ZIPPED } from './static-files.ts';
import type { StaticResults } from './static-table.ts';
import { EDGE, EDGE_ROUTED, TARGETS, type Target } from './targets.ts';
import { wrk } from './wrk.ts';

interface Row {
  name: string;
  path: string;
  /** Per target: the request headers (the 304 row needs each server's own ETag). */
  headers(etag: string): Record<string, string>;
  expect: { status: number; encoding?: string };
}

export const ROWS: readonly Row[] = [
  { name: 'static 1 KiB', path: `/static/${ONE}`, headers: () => ({}), expect: { status: 200 } },
  {
    name: 'static 100 KiB',
    path: `/static/${HUNDRED}`,
    headers: () => ({}),
    expect: { status: 200 },
  },
  {
    name: '304 (If-None-Match)',
    path: `/static/${ONE}`,
    headers: (etag) => ({ 'If-None-Match': etag }),
    expect: { status: 304 },
  },
  {
    // gzip, not br: nginx-light has gzip_static but no brotli module.
    name: 'precompressed hit (.gz)',
    path: `/static/${ZIPPED}`,
    headers: () => ({ 'Accept-Encoding': 'gzip' }),
    expect: { status: 200, encoding: 'gzip' },
  },
];

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function ask(port: number, path: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) flat[name] = String(value);
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** What the edge says for each row, for the bare server to repeat from memory. */
async function recordEdgeAnswers(port: number, file: string): Promise<void> {
  const etag = (await ask(port, `/static/${ONE}`, {})).headers.etag ?? '';
  const answers = [];
  for (const row of ROWS) {
    const headers = row.headers(etag);
    const reply = await ask(port, row.path, headers);
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.headers)) {
      if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name))
        kept[name] = value;
    }
    const when = Object.keys(headers)[0]?.toLowerCase();
    answers.push({
      url: row.path,
      when,
      status: reply.status,
      headers: kept,
      body: reply.body.toString('base64'),
    });
  }
  writeFileSync(file, JSON.stringify(answers));
}

export interface StaticOptions {
  duration: string;
  connections: number;
  runs: number;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

/** Starts every target on files under `base/static` (configs and logs in `dir`) and measures each row. */
export async function measureStaticRows(
  base: string,
  dir: string,
  options: StaticOptions,
): Promise<StaticResults> {
  const { runs, log } = options;
  const loadStart = loadavg();
  writeFiles(base);
  const ports = new Map<Target, number>();
  const pids = new Map<Target, number>();
  for (const target of TARGETS) {
    const port = await freePort();
    if (target !== EDGE && !ports.has(EDGE)) throw new Error('the edge must start first');
    if (target.name === 'bare node:http')
      await recordEdgeAnswers(ports.get(EDGE) as number, join(dir, 'answers.json'));
    log(`starting ${target.name} on 127.0.0.1:${port}`);
    const child = target.start(base, dir, port);
    await waitForPort(port, child);
    ports.set(target, port);
    pids.set(target, child.pid as number);
  }

  // Like with like: every target must answer each row the same way.
  const etags = new Map<Target, string>();
  for (const target of TARGETS) {
    const port = ports.get(target) as number;
    etags.set(target, (await ask(port, `/static/${ONE}`, {})).headers.etag ?? '');
    for (const row of ROWS) {
      const reply = await ask(port, row.path, row.headers(etags.get(target) ?? ''));
      const encoding = reply.headers['content-encoding'];
      if (reply.status !== row.expect.status || encoding !== row.expect.encoding) {
        throw new Error(
          `${target.name} answered ${row.name} with ${reply.status} ${encoding ?? ''}`,
        );
      }
    }
  }

  // Before any load: what a worker costs at rest (modules, code, caches).
  const workers = (target: Target) => () => childrenOf(pids.get(target) as number);
  const mem = new Map<Target, WorkerMemory>();
  for (const target of TARGETS.filter((t) => t.isEdge)) {
    mem.set(target, { rest: memoryOf(workers(target)()) });
  }

  // JIT warm-up, so no target's first row pays for its compilation.
  for (const target of TARGETS) {
    log(`warming up ${target.name}`);
    for (const row of ROWS) {
      const url = `http://127.0.0.1:${ports.get(target)}${row.path}`;
      await wrk(url, {
        connections: options.connections,
        duration: '1s',
        headers: row.headers(etags.get(target) ?? ''),
      });
    }
  }

  const samples = new Map<string, Sample[]>();
  const total = ROWS.length * runs * TARGETS.length;
  let step = 0;
  for (const row of ROWS) {
    for (let run = 1; run <= runs; run++) {
      // Interleaved, so drift in the machine's load spreads over every target.
      for (const target of TARGETS) {
        step++;
        log(`[${step}/${total}] ${row.name} · ${target.name} · run ${run}/${runs}`);
        const url = `http://127.0.0.1:${ports.get(target)}${row.path}`;
        const stopSampling = target.isEdge ? samplePeak(workers(target)) : undefined;
        const pid = pids.get(target) as number;
        const cpuBefore = cpuSeconds(pid);
        const result = await wrk(url, {
          connections: options.connections,
          duration: options.duration,
          headers: row.headers(etags.get(target) ?? ''),
        });
        const cpuUs = ((cpuSeconds(pid) - cpuBefore) * 1e6) / Math.max(1, result.requests);
        const peak = stopSampling?.();
        if (result.errors > 0) log(`  ! ${result.errors} errors`);
        log(
          `  ${Math.round(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${cpuUs.toFixed(1)} µs CPU/request`,
        );
        const key = `${row.name}|${target.name}`;
        samples.set(key, [...(samples.get(key) ?? []), { ...result, cpuUs }]);
        const m = mem.get(target);
        if (m) addPeak(m, peak, row.name);
      }
    }
  }

  return {
    rows: ROWS.map((row) => ({
      name: row.name,
      cells: Object.fromEntries(
        TARGETS.map((t) => [t.name, summarize(samples.get(`${row.name}|${t.name}`) ?? [])]),
      ),
    })),
    memory: { edge: mem.get(EDGE), routed: mem.get(EDGE_ROUTED) },
    loadStart,
    loadEnd: loadavg(),
  };
}
