/** Fake rounds for the table tests: figures in, the summary the bench would make of them out. */
import type { BenchResults } from '../report.ts';
import { type Sample, type Summary, summarize } from '../rounds.ts';
import type { StaticResults } from '../static-table.ts';

const three = (v: number | readonly number[]) => (typeof v === 'number' ? [v, v, v] : v);

/**
 * `cpu` and `rps` per round; a single number is three equal rounds (no
 * spread). Latency 1 / 2.5 ms, no errors unless `extra` says so.
 */
export function rounds(
  cpu: number | readonly number[],
  rps: number | readonly number[],
  extra: Partial<Sample> = {},
): Summary {
  const c = three(cpu);
  const r = three(rps);
  const samples: Sample[] = c.map((cpuUs, i) => ({
    rps: r[i] ?? Number.NaN,
    p50Ms: 1,
    p99Ms: 2.5,
    requests: (r[i] ?? 0) * 3,
    errors: 0,
    cpuUs,
    ...extra,
  }));
  return summarize(samples);
}

// CPU: the edge at 1.10× bare (its rounds 22, 22, 23: ±5%), 2.5× nginx, 0.3× Caddy, 0.8× its Fastify route.
// req/s: the edge at 0.8× bare, 3× Caddy, 0.5× nginx, 1.25× its Fastify route.
const cells = {
  edge: rounds([22, 22, 23], 40_000),
  'edge, table via Fastify route': rounds(27.5, 32_000),
  'bare node:http': rounds(20, 50_000),
  nginx: rounds(8.8, 80_000),
  caddy: rounds(73.3, [13_000, 13_333.4, 14_000]),
};

const STATIC: StaticResults = {
  rows: [
    { name: 'static 1 KiB', cells },
    { name: 'static 100 KiB', cells },
    // The edge's rounds disagree: ±23%.
    { name: '304 (If-None-Match)', cells: { ...cells, edge: rounds([22, 26.4, 28], 40_000) } },
    { name: 'precompressed hit (.gz)', cells: { ...cells, edge: rounds(30, 30_000) } },
  ],
  memory: {
    edge: { rest: { rssMiB: 90, privateMiB: 40 }, peak: { rssMiB: 120.04, privateMiB: 48 } },
  },
  loadStart: [0.5, 0.75, 1],
  loadEnd: [1.5, 2, 2.25],
};

const memory = (rss: number, own: number) => ({
  rest: { rssMiB: rss - 20, privateMiB: own - 10 },
  peak: { rssMiB: rss, privateMiB: own },
});

/** A run's results as report.test.ts reads them: a static section, a judged proxied one, one not measured. */
export const RESULTS: BenchResults = {
  wrk: { connections: 50, duration: '3s', runs: 3, quick: false },
  static: STATIC,
  proxied: [
    {
      title: 'small response from a node:http upstream',
      path: '/',
      loadStart: [1, 2, 3],
      loadEnd: [3, 2, 1],
      judged: true,
      rows: [
        {
          target: 'bare node:http + undici dispatch',
          ...rounds(50, 20_000),
          memory: memory(70, 30),
        },
        {
          target: 'edge (main.ts, 1 worker, access log on)',
          ...rounds([54, 55, 56], 18_000),
          memory: memory(95, 45),
        },
        { target: 'Caddy (reverse_proxy, GOMAXPROCS=1, log on)', ...rounds(100, 10_000) },
      ],
    },
    {
      title: 'the app’s JSON endpoint',
      path: '',
      loadStart: [4, 3, 2],
      loadEnd: [4, 3, 2],
      error: 'docker: not found',
    },
  ],
};
