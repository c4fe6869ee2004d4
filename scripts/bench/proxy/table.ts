/** The proxied rows as a Markdown table, with the targets the edge is held to checked. */
import { table } from '../markdown.ts';
import type { ProxiedRow } from './rows.ts';

export const fmt = (n: number | undefined, digits = 2) =>
  n === undefined || Number.isNaN(n) ? '' : n.toFixed(digits);

/**
 * Rows as a Markdown table: req/s, latency, errors, CPU and RSS, then the
 * app's own CPU when `upstreamCpu` (the cache rows), then `ratio`'s column.
 */
export function rowsTable(
  rows: readonly ProxiedRow[],
  ratioHeader: string,
  ratio: (row: ProxiedRow) => string,
  upstreamCpu = false,
): string[] {
  const extra = upstreamCpu ? ['app CPU µs/req'] : [];
  return table(
    [
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'CPU µs/req',
      ...extra,
      'RSS MiB',
      ratioHeader,
    ],
    rows.map((row) => [
      row.target,
      String(Math.round(row.rps)),
      fmt(row.p50Ms),
      fmt(row.p99Ms),
      String(row.errors),
      fmt(row.cpuUsPerRequest, 0),
      ...(upstreamCpu ? [fmt(row.upstreamCpuUsPerRequest, 0)] : []),
      row.rssMiB === undefined ? '' : String(row.rssMiB),
      ratio(row),
    ]),
    ['left', ...Array<'right'>(extra.length + 7).fill('right')],
  );
}

export function proxiedTable(rows: readonly ProxiedRow[]): string[] {
  const find = (prefix: string) => rows.find((row) => row.target.startsWith(prefix));
  const edge = find('edge (');
  const ratio = (ref: ProxiedRow | undefined) =>
    edge && ref && ref !== edge ? `${(edge.rps / ref.rps).toFixed(2)}×` : '';
  const lines = rowsTable(rows, 'edge ÷ this (req/s)', ratio);
  const verdict = (ref: ProxiedRow | undefined, name: string, target: number) => {
    if (!edge || !ref) return;
    const value = edge.rps / ref.rps;
    lines.push(
      `- target edge ≥ ${target}× ${name}: ${value.toFixed(2)}× (${value >= target ? 'met' : 'MISSED'})`,
    );
  };
  lines.push('');
  verdict(find('bare'), 'the bare pass-through', 0.8);
  verdict(find('Caddy'), 'Caddy', 1.6);
  return lines;
}
