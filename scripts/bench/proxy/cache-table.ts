/**
 * The cache rows as Markdown: the rows table against a hit, the judged
 * target (a hit's CPU per request against the static fast path's), the
 * req/s ratios and the edge + app CPU sum as information, the memory.
 */
import { memoryTable } from '../memory.ts';
import { cpuVerdict, type Judgement, ratio, times } from '../rounds.ts';
import { CPU_TARGETS } from '../verdict-targets.ts';
import { CACHE_TARGETS } from './cache-rows.ts';
import type { ProxiedRow } from './measure.ts';
import { rowsTable } from './table.ts';

const find = (rows: readonly ProxiedRow[], name: string) => rows.find((row) => row.target === name);

/** The hit's CPU per request over the static fast path's, judged against CPU_TARGETS.cacheHit. */
export function cacheJudgements(
  title: string,
  rows: readonly ProxiedRow[],
  quick: boolean,
): Judgement[] {
  const { cacheHit } = CPU_TARGETS;
  const hit = find(rows, CACHE_TARGETS.hit);
  const fast = find(rows, CACHE_TARGETS.fast);
  return [
    {
      what: `cache, ${title}: CPU ${cacheHit.ratio}`,
      verdict: cpuVerdict(hit, fast, cacheHit.max, { quick }),
    },
  ];
}

export function cacheTable(
  rows: readonly ProxiedRow[],
  options: { title: string; quick: boolean },
): string[] {
  const hit = find(rows, CACHE_TARGETS.hit);
  const lines = [
    'CPU µs per request (the edge’s or nginx’s own; the app’s in its own column) and req/s: median ±spread; latency: medians.',
    '',
    ...rowsTable(rows, 'hit', hit, true),
    '',
  ];
  const [judged] = cacheJudgements(options.title, rows, options.quick);
  if (judged) {
    lines.push(
      `- target CPU ${CPU_TARGETS.cacheHit.ratio} ${judged.verdict.target}: ${judged.verdict.text}`,
    );
  }
  const rps = (name: string) => times(ratio(hit?.rps.median, find(rows, name)?.rps.median));
  const cpu = (name: string) => times(ratio(find(rows, name)?.cpuUs.median, hit?.cpuUs.median));
  lines.push(
    `- informational, req/s: hit ÷ cache off ${rps(CACHE_TARGETS.off)}, hit ÷ static fast path ${rps(CACHE_TARGETS.fast)}, hit ÷ nginx proxy_cache hit ${rps(CACHE_TARGETS.nginx)}; CPU per request, cache off ÷ hit: ${cpu(CACHE_TARGETS.off)}`,
  );
  const off = find(rows, CACHE_TARGETS.off);
  const both = (row: ProxiedRow | undefined) =>
    (row?.cpuUs.median ?? Number.NaN) + (row?.upstreamCpuUs?.median ?? Number.NaN);
  if (Number.isFinite(both(hit)) && Number.isFinite(both(off))) {
    lines.push(
      `- edge + app CPU per request (PostgreSQL's not counted): cache off ${both(off).toFixed(0)} µs, hit ${both(hit).toFixed(0)} µs (${(both(off) / both(hit)).toFixed(1)}×)`,
    );
  }
  const memory = rows
    .filter((row) => row.memory !== undefined)
    .map((row) => ({ what: row.target, memory: row.memory }));
  return [...lines, '', ...memoryTable(memory, options.quick)];
}
