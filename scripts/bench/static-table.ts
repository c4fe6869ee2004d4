/**
 * The static rows' tables: req/s with latency, the edge's ratios against
 * each reference (with the targets it is held to), CPU per request, and the
 * edge worker's memory. The same lines go to stdout and to `--write`'s file.
 */
import { loadText, table } from './markdown.ts';
import type { Memory } from './processes.ts';
import { BARE_NODE, CADDY, EDGE, EDGE_ROUTED, NGINX, TARGETS } from './targets.ts';
import type { WrkResult } from './wrk.ts';

export interface StaticCell extends WrkResult {
  /** CPU time per request, µs, user + system, lowest of the runs. */
  cpuUs: number;
}

export interface StaticResults {
  /** Per row, per target name: the best run's figures. */
  rows: { name: string; cells: Record<string, StaticCell> }[];
  memory: { edge?: Memory; routed?: Memory; idle?: Memory };
  loadEnd: readonly number[];
}

export interface WrkSettings {
  connections: number;
  duration: string;
  runs: number;
}

/** What a worker may cost in RSS, MiB. */
const RSS_TARGET_MIB = 100;

const fmtK = (n: number) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)}k` : 'n/a');
const fmtMs = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? a / b : Number.NaN);
const times = (value: number) => `${value.toFixed(2)}×`;
const verdict = (value: number, target: number) =>
  `${times(value)} (${value >= target ? 'met' : 'MISSED'}, ≥ ${target})`;
const mib = (n: number | undefined) => (n === undefined ? 'not measured' : n.toFixed(1));

function memoryRow(what: string, m: Memory | undefined, judged = false): string[] {
  const met = m && m.rssMiB <= RSS_TARGET_MIB ? 'met' : 'MISSED';
  return [what, mib(m?.rssMiB), mib(m?.privateMiB), judged ? met : ''];
}

export function staticTables(results: StaticResults, wrk: WrkSettings): string[] {
  const names = TARGETS.map((t) => t.name);
  const rps = (row: StaticResults['rows'][number], name: string) =>
    row.cells[name]?.rps ?? Number.NaN;
  const right = names.map(() => 'right' as const);
  return [
    `wrk -t1 -c${wrk.connections} -d${wrk.duration}, best of ${wrk.runs}; req/s (p50 / p99 ms); load average at the end ${loadText(results.loadEnd)}`,
    '',
    ...table(
      ['row', ...names],
      results.rows.map((row) => [
        row.name,
        ...names.map((name) => {
          const cell = row.cells[name];
          return cell ? `${fmtK(cell.rps)} (${fmtMs(cell.p50Ms)} / ${fmtMs(cell.p99Ms)})` : 'n/a';
        }),
      ]),
      ['left', ...right],
    ),
    '',
    'The edge’s req/s over each reference’s, with the target it is held to:',
    '',
    ...table(
      ['row', 'edge / bare node', 'edge / Caddy', 'edge / nginx', 'fast path / Fastify route'],
      results.rows.map((row) => {
        const edge = rps(row, EDGE.name);
        const nginx = ratio(edge, rps(row, NGINX.name));
        return [
          row.name,
          verdict(ratio(edge, rps(row, BARE_NODE.name)), 0.8),
          verdict(ratio(edge, rps(row, CADDY.name)), 2),
          // nginx is a target only where sendfile is the whole job.
          row.name === 'static 100 KiB' ? verdict(nginx, 1) : times(nginx),
          times(ratio(edge, rps(row, EDGE_ROUTED.name))),
        ];
      }),
    ),
    '',
    'CPU time per request (µs, user + system, lowest of the runs; steadier than req/s under outside load):',
    '',
    ...table(
      ['row', ...names],
      results.rows.map((row) => [
        row.name,
        ...names.map((name) => (row.cells[name]?.cpuUs ?? Number.NaN).toFixed(1)),
      ]),
      ['left', ...right],
    ),
    '',
    `Edge worker memory (MiB; target ≤ ${RSS_TARGET_MIB} MiB RSS under load):`,
    '',
    ...table(
      ['edge worker', 'RSS', 'its own', 'target'],
      [
        memoryRow('under load (peak)', results.memory.edge, true),
        memoryRow('table via Fastify route, under load (peak)', results.memory.routed),
        memoryRow('at rest (started, no load yet)', results.memory.idle),
      ],
      ['left', 'right', 'right', 'left'],
    ),
    '',
    '"its own": private pages (heap, buffers); the rest of the RSS is mostly the node binary, mapped once for every worker.',
  ];
}
