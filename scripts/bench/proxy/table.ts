/** The proxied rows as a Markdown table, with the targets the edge is held to checked. */
import { table } from '../markdown.ts';
import type { ProxiedRow } from './rows.ts';

const fmt = (n: number | undefined, digits = 2) =>
  n === undefined || Number.isNaN(n) ? '' : n.toFixed(digits);

export function proxiedTable(rows: readonly ProxiedRow[]): string[] {
  const find = (prefix: string) => rows.find((row) => row.target.startsWith(prefix));
  const edge = find('edge (');
  const ratio = (ref: ProxiedRow | undefined) =>
    edge && ref && ref !== edge ? `${(edge.rps / ref.rps).toFixed(2)}×` : '';
  const lines = table(
    [
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'CPU µs/req',
      'RSS MiB',
      'edge ÷ this (req/s)',
    ],
    rows.map((row) => [
      row.target,
      String(Math.round(row.rps)),
      fmt(row.p50Ms),
      fmt(row.p99Ms),
      String(row.errors),
      fmt(row.cpuUsPerRequest, 0),
      row.rssMiB === undefined ? '' : String(row.rssMiB),
      ratio(row),
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
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
