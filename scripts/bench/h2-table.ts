/**
 * The h2 rows' tables: CPU per request first (the figure the verdicts are
 * on), the edge's CPU ratios with their targets, req/s with the mean time
 * per request and its ratios (informational), the edge worker's memory,
 * and what each target's TLS handshake negotiated. Every figure is a
 * median over the rounds with its spread. The same lines go to stdout and
 * to `--write`'s file.
 */
import { H2_BARE, H2_BARE_PROXY, H2_CADDY, H2_EDGE, H2_NGINX, H2_TARGETS } from './h2-targets.ts';
import { fmtCpu, loadLine, roundsLine, table } from './markdown.ts';
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
import { CPU_TARGETS } from './verdict-targets.ts';

export interface H2Results {
  /** Per row, per target name (only the targets the row has): the figures over the rounds. */
  rows: { name: string; handshakes: boolean; cells: Record<string, Summary> }[];
  /** Per target name: protocol, cipher and key-exchange group h2load negotiated. */
  tls: Record<string, string>;
  /** The edge's worker. */
  memory?: WorkerMemory | undefined;
  loadStart: readonly number[];
  loadEnd: readonly number[];
  /** h2load's load: connections and streams on open ones, clients per burst of new ones. */
  load: { clients: number; streams: number; burst: number };
}

const fmtRate = (n: number) =>
  !Number.isFinite(n) ? 'n/a' : n < 1000 ? String(Math.round(n)) : `${(n / 1000).toFixed(1)}k`;

type Row = H2Results['rows'][number];
const { h2: target } = CPU_TARGETS;
const judgedRow = (row: Row) => (target.rows as readonly string[]).includes(row.name);
/** The static rows' bare reference is node:http2; the proxied row's, the h2→h1 pass-through. */
const bareOf = (row: Row) =>
  row.cells[H2_BARE_PROXY.name] !== undefined ? H2_BARE_PROXY.name : H2_BARE.name;

function overBare(row: Row, quick: boolean): Verdict {
  return cpuVerdict(row.cells[H2_EDGE.name], row.cells[bareOf(row)], target.max, { quick });
}

const memoryRows = (results: H2Results): MemoryRow[] => [
  { what: 'edge', memory: results.memory, judged: true },
];

export function h2Judgements(results: H2Results, quick: boolean): Judgement[] {
  return [
    ...results.rows.filter(judgedRow).map((row) => ({
      what: `h2 ${row.name}: CPU edge ÷ ${bareOf(row)}`,
      verdict: overBare(row, quick),
    })),
    ...memoryJudgements('h2', memoryRows(results), quick),
  ];
}

function tlsLine(results: H2Results): string {
  const distinct = new Set(Object.values(results.tls));
  if (distinct.size === 1) return `TLS, every target: ${[...distinct][0]}.`;
  const each = Object.entries(results.tls).map(([name, tls]) => `${name} ${tls}`);
  return `TLS (differs between targets): ${each.join('; ')}.`;
}

export function h2Tables(
  results: H2Results,
  run: { duration: string; runs: number; quick: boolean },
): string[] {
  const s = { ...results.load, ...run };
  const names = H2_TARGETS.map((t) => t.name);
  const right = names.map(() => 'right' as const);
  const cellText = (row: Row, name: string, text: (cell: Summary) => string) => {
    const cell = row.cells[name];
    return cell ? text(cell) : '–';
  };
  const over = (row: Row, name: string, pick: (s: Summary) => number) => {
    const [edge, other] = [row.cells[H2_EDGE.name], row.cells[name]];
    return times(ratio(edge && pick(edge), other && pick(other)));
  };
  const cpu = (c: Summary) => c.cpuUs.median;
  const rps = (c: Summary) => c.rps.median;
  return [
    `h2load -t1 -c${s.clients} -m${s.streams} -D${s.duration}; new TLS connections: bursts of ${s.burst} clients, one request each (a full handshake, no resumption); ${roundsLine(run)}; ${loadLine(results.loadStart, results.loadEnd)}`,
    '',
    'CPU µs per request (user + system of the server’s processes over the run ÷ requests; for new connections, per connection), median ±spread:',
    '',
    ...table(
      ['row', ...names],
      results.rows.map((row) => [
        row.name,
        ...names.map((name) => cellText(row, name, (c) => withSpread(c.cpuUs, fmtCpu))),
      ]),
      ['left', ...right],
    ),
    '',
    `The edge’s CPU per request over each reference’s (lower is better; bare Node: node:http2 for the static rows, the h2→h1 pass-through for the proxied one). Judged: edge ÷ bare Node ≤ ${target.max}× on open connections, not judged when either side’s CPU spread is over ${pct(SPREAD_BOUND)}; the other ratios are informational:`,
    '',
    ...table(
      ['row', 'edge ÷ bare Node', 'edge ÷ Caddy', 'edge ÷ nginx'],
      results.rows.map((row) => [
        row.name,
        judgedRow(row) ? overBare(row, run.quick).text : over(row, bareOf(row), cpu),
        over(row, H2_CADDY.name, cpu),
        over(row, H2_NGINX.name, cpu),
      ]),
    ),
    '',
    'req/s, median ±spread (mean ms per request, median; h2load reports no percentiles):',
    '',
    ...table(
      ['row', ...names],
      results.rows.map((row) => [
        row.name,
        ...names.map((name) =>
          cellText(
            row,
            name,
            (c) => `${withSpread(c.rps, fmtRate)} (${c.meanMs?.median.toFixed(2) ?? 'n/a'})`,
          ),
        ),
      ]),
      ['left', ...right],
    ),
    '',
    'The edge’s req/s over each reference’s (informational; higher is better):',
    '',
    ...table(
      ['row', 'edge / bare Node', 'edge / Caddy', 'edge / nginx'],
      results.rows.map((row) => [
        row.name,
        over(row, bareOf(row), rps),
        over(row, H2_CADDY.name, rps),
        over(row, H2_NGINX.name, rps),
      ]),
    ),
    '',
    ...memoryTable(memoryRows(results), run.quick),
    '',
    tlsLine(results),
  ];
}
