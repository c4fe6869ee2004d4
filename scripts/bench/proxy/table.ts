/**
 * The proxied rows as Markdown: per target CPU per request first, then
 * req/s, latency and errors, medians over the rounds with their spread,
 * the edge's ratio to each; the CPU targets, judged in the section they
 * are set for (the small response) and printed as information elsewhere;
 * the Node targets' memory.
 */

import { fmtCpu, fmtMs, table } from '../markdown.ts';
import { type MemoryRow, memoryJudgements, memoryTable } from '../memory.ts';
import { cpuVerdict, type Judgement, ratio, type Summary, times, withSpread } from '../rounds.ts';
import { CPU_TARGETS } from '../verdict-targets.ts';
import type { ProxiedRow } from './measure.ts';

const rate = (n: number) => String(Math.round(n));

/**
 * Rows as a Markdown table: CPU, then the app's own CPU when `upstreamCpu`
 * (the cache rows), req/s, latency, errors, and `base` ÷ each row by CPU
 * and by req/s, `base` being what the ratios are about (the edge, a hit).
 */
export function rowsTable(
  rows: readonly ProxiedRow[],
  baseName: string,
  base: ProxiedRow | undefined,
  upstreamCpu = false,
): string[] {
  const extra = upstreamCpu ? ['app CPU µs/req'] : [];
  const over = (row: ProxiedRow, pick: (s: Summary) => number) =>
    base && row !== base ? times(ratio(pick(base), pick(row))) : '';
  return table(
    [
      'target',
      'CPU µs/req',
      ...extra,
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      `${baseName} ÷ this, CPU`,
      `${baseName} ÷ this, req/s`,
    ],
    rows.map((row) => [
      row.target,
      withSpread(row.cpuUs, fmtCpu),
      ...(upstreamCpu ? [withSpread(row.upstreamCpuUs, fmtCpu)] : []),
      withSpread(row.rps, rate),
      fmtMs(row.p50Ms.median),
      fmtMs(row.p99Ms.median),
      String(row.errors),
      over(row, (s) => s.cpuUs.median),
      over(row, (s) => s.rps.median),
    ]),
    ['left', ...Array<'right'>(extra.length + 8).fill('right')],
  );
}

const find = (rows: readonly ProxiedRow[], prefix: string) =>
  rows.find((row) => row.target.startsWith(prefix));
const edgeOf = (rows: readonly ProxiedRow[]) => find(rows, 'edge (');

/** The Node targets' memory; the edge's (access log on) is judged where `judged`. */
function memoryRows(rows: readonly ProxiedRow[], judged: boolean): MemoryRow[] {
  const edge = edgeOf(rows);
  return rows
    .filter((row) => row.memory !== undefined)
    .map((row) => ({ what: row.target, memory: row.memory, judged: judged && row === edge }));
}

/** The section's CPU targets (CPU_TARGETS), each with its label. */
function cpuChecks(rows: readonly ProxiedRow[], quick: boolean) {
  const edge = edgeOf(rows);
  const { proxiedBare: bare, proxiedCaddy: caddy } = CPU_TARGETS;
  return [
    {
      label: `CPU ${bare.ratio}`,
      verdict: cpuVerdict(edge, find(rows, 'bare'), bare.max, { quick }),
    },
    {
      label: `CPU ${caddy.ratio}`,
      verdict: cpuVerdict(edge, find(rows, 'Caddy'), caddy.max, { quick }),
    },
  ];
}

/** What the summary lists for a judged section: its CPU targets and the edge's memory. */
export function proxiedJudgements(
  title: string,
  rows: readonly ProxiedRow[],
  quick: boolean,
): Judgement[] {
  return [
    ...cpuChecks(rows, quick).map(({ label, verdict }) => ({
      what: `proxied, ${title}: ${label}`,
      verdict,
    })),
    ...memoryJudgements(`proxied, ${title}`, memoryRows(rows, true), quick),
  ];
}

export function proxiedTable(
  rows: readonly ProxiedRow[],
  options: { judged: boolean; quick: boolean },
): string[] {
  const edge = edgeOf(rows);
  const lines = ['CPU µs per request and req/s: median ±spread; latency: medians.', ''];
  lines.push(...rowsTable(rows, 'edge', edge), '');
  if (options.judged) {
    for (const { label, verdict } of cpuChecks(rows, options.quick)) {
      lines.push(`- target ${label} ${verdict.target}: ${verdict.text}`);
    }
  } else {
    const cpu = (prefix: string) =>
      times(ratio(edge?.cpuUs.median, find(rows, prefix)?.cpuUs.median));
    lines.push(
      `- CPU edge ÷ the bare pass-through: ${cpu('bare')}, edge ÷ Caddy: ${cpu('Caddy')} (informational: the targets are set on the small response)`,
    );
  }
  return [
    ...lines,
    '',
    ...memoryTable(memoryRows(rows, options.judged), options.quick, 'Node target'),
  ];
}
