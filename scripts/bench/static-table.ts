/**
 * The static rows' tables: CPU per request first (the figure the verdicts
 * are on), the edge's CPU ratios with their targets, req/s with latency and
 * its ratios (informational), and the edge worker's memory. Every figure is
 * a median over the rounds with its spread. The same lines go to stdout and
 * to `--write`'s file.
 */
import { fmtCpu, fmtK, fmtMs, loadLine, roundsLine, table } from './markdown.ts';
import { type MemoryRow, memoryJudgements, memoryTable, type WorkerMemory } from './memory.ts';
import {
  cpuVerdict,
  type Judgement,
  pct,
  ratio,
  SPREAD_BOUND,
  type Summary,
  times,
  type Verdict,
  withSpread,
} from './rounds.ts';
import { BARE_NODE, CADDY, EDGE, EDGE_ROUTED, NGINX, TARGETS } from './targets.ts';
import { CPU_TARGETS } from './verdict-targets.ts';

export interface StaticResults {
  /** Per row, per target name: the figures over the rounds. */
  rows: { name: string; cells: Record<string, Summary> }[];
  memory: { edge?: WorkerMemory | undefined; routed?: WorkerMemory | undefined };
  loadStart: readonly number[];
  loadEnd: readonly number[];
}

export interface WrkSettings {
  connections: number;
  duration: string;
  runs: number;
  /** `--quick`: fewer than 3 rounds allowed, nothing judged. */
  quick: boolean;
}

type Row = StaticResults['rows'][number];

const { static: target } = CPU_TARGETS;
const judgedRow = (row: Row) => (target.rows as readonly string[]).includes(row.name);

function overBare(row: Row, quick: boolean): Verdict {
  return cpuVerdict(row.cells[EDGE.name], row.cells[BARE_NODE.name], target.max, { quick });
}

function memoryRows(results: StaticResults): MemoryRow[] {
  return [
    { what: 'edge (fast path)', memory: results.memory.edge, judged: true },
    { what: 'edge, table via Fastify route', memory: results.memory.routed },
  ];
}

/** The static section's judged targets, in the order the tables print them. */
export function staticJudgements(results: StaticResults, quick: boolean): Judgement[] {
  return [
    ...results.rows.filter(judgedRow).map((row) => ({
      what: `static ${row.name.replace(/^static /, '')}: CPU ${target.ratio}`,
      verdict: overBare(row, quick),
    })),
    ...memoryJudgements('static', memoryRows(results), quick),
  ];
}

export function staticTables(results: StaticResults, wrk: WrkSettings): string[] {
  const names = TARGETS.map((t) => t.name);
  const right = names.map(() => 'right' as const);
  const cpu = (row: Row, name: string) => row.cells[name]?.cpuUs.median;
  const rps = (row: Row, name: string) => row.cells[name]?.rps.median;
  const cpuRatio = (row: Row, name: string) => times(ratio(cpu(row, EDGE.name), cpu(row, name)));
  const rpsRatio = (row: Row, name: string) => times(ratio(rps(row, EDGE.name), rps(row, name)));
  return [
    `wrk -t1 -c${wrk.connections} -d${wrk.duration}, ${roundsLine(wrk)}; ${loadLine(results.loadStart, results.loadEnd)}`,
    '',
    'CPU µs per request (user + system of the server’s processes over the run ÷ requests), median ±spread:',
    '',
    ...table(
      ['row', ...names],
      results.rows.map((row) => [
        row.name,
        ...names.map((name) => withSpread(row.cells[name]?.cpuUs, fmtCpu)),
      ]),
      ['left', ...right],
    ),
    '',
    `The edge’s CPU per request over each reference’s (lower is better). Judged: edge ÷ bare node ≤ ${target.max}× on ${target.where.replace(/^static rows: /, '')}, not judged when either side’s CPU spread is over ${pct(SPREAD_BOUND)}; the other ratios are informational:`,
    '',
    ...table(
      ['row', 'edge ÷ bare node', 'edge ÷ Caddy', 'edge ÷ nginx', 'fast path ÷ Fastify route'],
      results.rows.map((row) => [
        row.name,
        judgedRow(row) ? overBare(row, wrk.quick).text : cpuRatio(row, BARE_NODE.name),
        cpuRatio(row, CADDY.name),
        cpuRatio(row, NGINX.name),
        cpuRatio(row, EDGE_ROUTED.name),
      ]),
    ),
    '',
    'req/s, median ±spread (p50 / p99 ms, medians):',
    '',
    ...table(
      ['row', ...names],
      results.rows.map((row) => [
        row.name,
        ...names.map((name) => {
          const cell = row.cells[name];
          if (!cell) return 'n/a';
          return `${withSpread(cell.rps, fmtK)} (${fmtMs(cell.p50Ms.median)} / ${fmtMs(cell.p99Ms.median)})`;
        }),
      ]),
      ['left', ...right],
    ),
    '',
    'The edge’s req/s over each reference’s (informational; higher is better):',
    '',
    ...table(
      ['row', 'edge / bare node', 'edge / Caddy', 'edge / nginx', 'fast path / Fastify route'],
      results.rows.map((row) => [
        row.name,
        rpsRatio(row, BARE_NODE.name),
        rpsRatio(row, CADDY.name),
        rpsRatio(row, NGINX.name),
        rpsRatio(row, EDGE_ROUTED.name),
      ]),
    ),
    '',
    ...memoryTable(memoryRows(results), wrk.quick),
  ];
}
