/** The proxied rows as a markdown table, with the targets checked. */
import type { ProxiedRow } from './rows.ts';

const fmt = (n: number | undefined, digits = 2) =>
  n === undefined || Number.isNaN(n) ? '' : n.toFixed(digits);

export function proxiedTable(rows: readonly ProxiedRow[]): string[] {
  const find = (prefix: string) => rows.find((row) => row.target.startsWith(prefix));
  const edge = find('edge (');
  const ratio = (ref: ProxiedRow | undefined) =>
    edge && ref && ref !== edge ? `${(edge.rps / ref.rps).toFixed(2)}×` : '';
  const lines = [
    '| target | req/s | p50 ms | p99 ms | errors | CPU µs/req | RSS MiB | edge ÷ this (req/s) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.target} | ${Math.round(row.rps)} | ${fmt(row.p50Ms)} | ${fmt(row.p99Ms)} | ${row.errors} | ${fmt(row.cpuUsPerRequest, 0)} | ${row.rssMiB ?? ''} | ${ratio(row)} |`,
    );
  }
  const verdict = (ref: ProxiedRow | undefined, name: string, target: number) => {
    if (!edge || !ref) return;
    const value = edge.rps / ref.rps;
    lines.push(
      `target edge ≥ ${target}× ${name}: ${value.toFixed(2)}× (${value >= target ? 'met' : 'MISSED'})`,
    );
  };
  lines.push('');
  verdict(find('bare'), 'the bare pass-through', 0.8);
  verdict(find('Caddy'), 'Caddy', 1.6);
  return lines;
}
