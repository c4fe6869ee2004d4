/** The cache rows as a Markdown table, with the targets a hit is held to checked. */
import { CACHE_TARGETS } from './cache-rows.ts';
import type { ProxiedRow } from './measure.ts';
import { rowsTable } from './table.ts';

export function cacheTable(rows: readonly ProxiedRow[]): string[] {
  const find = (name: string) => rows.find((row) => row.target === name);
  const hit = find(CACHE_TARGETS.hit);
  const ratio = (row: ProxiedRow) =>
    hit && row !== hit ? `${(hit.rps / row.rps).toFixed(2)}×` : '';
  const cpu = (row: ProxiedRow | undefined) =>
    hit?.cpuUsPerRequest && row?.cpuUsPerRequest ? row.cpuUsPerRequest / hit.cpuUsPerRequest : 0;
  const lines = rowsTable(rows, 'hit ÷ this (req/s)', ratio, true);
  lines.push('');
  const verdict = (name: string, label: string, target: number) => {
    const ref = find(name);
    if (!hit || !ref) return;
    const value = hit.rps / ref.rps;
    const cpuRatio = cpu(ref);
    const byCpu = cpuRatio > 0 ? `; CPU per request, this ÷ hit: ${cpuRatio.toFixed(2)}×` : '';
    lines.push(
      `- target hit ≥ ${target}× ${label}: ${value.toFixed(2)}× (${value >= target ? 'met' : 'MISSED'})${byCpu}`,
    );
  };
  verdict(CACHE_TARGETS.off, 'the same edge with its cache off', 10);
  const off = find(CACHE_TARGETS.off);
  const both = (row: ProxiedRow | undefined) =>
    (row?.cpuUsPerRequest ?? Number.NaN) + (row?.upstreamCpuUsPerRequest ?? Number.NaN);
  if (hit && off && Number.isFinite(both(hit)) && Number.isFinite(both(off))) {
    lines.push(
      `- edge + app CPU per request (PostgreSQL's not counted): cache off ${both(off).toFixed(0)} µs, hit ${both(hit).toFixed(0)} µs (${(both(off) / both(hit)).toFixed(1)}×)`,
    );
  }
  verdict(CACHE_TARGETS.fast, "the edge's static fast path", 0.8);
  const nginx = find(CACHE_TARGETS.nginx);
  if (hit && nginx) {
    lines.push(`- hit ÷ nginx proxy_cache hit: ${(hit.rps / nginx.rps).toFixed(2)}× (no target)`);
  }
  return lines;
}
