/**
 * The h2 rows' tables: req/s with the mean time per request, the edge's
 * ratios to each reference with the targets it is held to, CPU per
 * request, and what each target's TLS handshake negotiated. The same lines
 * go to stdout and to `--write`'s file.
 */

import { H2_BARE, H2_BARE_PROXY, H2_CADDY, H2_EDGE, H2_NGINX, H2_TARGETS } from './h2-targets.ts';
import type { H2loadResult } from './h2load.ts';
import { loadText, table } from './markdown.ts';

export interface H2Cell extends H2loadResult {
  /** CPU time per request, µs, user + system, lowest of the runs. */
  cpuUs: number;
}

export interface H2Results {
  /** Per row, per target name (only the targets the row has): the best run's figures. */
  rows: { name: string; handshakes: boolean; cells: Record<string, H2Cell> }[];
  /** Per target name: protocol, cipher and key-exchange group h2load negotiated. */
  tls: Record<string, string>;
  loadEnd: readonly number[];
  /** h2load's load: connections and streams on open ones, clients per burst of new ones. */
  load: { clients: number; streams: number; burst: number };
}

const fmtRate = (n: number) =>
  !Number.isFinite(n) ? 'n/a' : n < 1000 ? String(Math.round(n)) : `${(n / 1000).toFixed(1)}k`;
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
const verdict = (value: number, target: number) =>
  `${times(value)} (${value >= target ? 'met' : 'MISSED'}, ≥ ${target})`;

type Row = H2Results['rows'][number];
const rps = (row: Row, name: string) => row.cells[name]?.rps ?? Number.NaN;
const ratio = (row: Row, name: string) => {
  const other = rps(row, name);
  return other > 0 ? rps(row, H2_EDGE.name) / other : Number.NaN;
};

/** The edge over bare Node (the static server, or the pass-through for the proxied row). */
function overBare(row: Row): string {
  const proxied = row.cells[H2_BARE_PROXY.name] !== undefined;
  const value = ratio(row, proxied ? H2_BARE_PROXY.name : H2_BARE.name);
  return row.handshakes ? times(value) : verdict(value, 0.8);
}

/** Caddy is a target on the static rows over open connections only. */
function overCaddy(row: Row): string {
  const value = ratio(row, H2_CADDY.name);
  return row.name.startsWith('static') && !row.handshakes ? verdict(value, 3) : times(value);
}

function tlsLine(results: H2Results): string {
  const distinct = new Set(Object.values(results.tls));
  if (distinct.size === 1) return `TLS, every target: ${[...distinct][0]}.`;
  const each = Object.entries(results.tls).map(([name, tls]) => `${name} ${tls}`);
  return `TLS (differs between targets): ${each.join('; ')}.`;
}

export function h2Tables(results: H2Results, run: { duration: string; runs: number }): string[] {
  const s = { ...results.load, ...run };
  const names = H2_TARGETS.map((t) => t.name);
  const right = names.map(() => 'right' as const);
  const cellText = (row: Row, name: string, text: (cell: H2Cell) => string) => {
    const cell = row.cells[name];
    return cell ? text(cell) : '–';
  };
  return [
    `h2load -t1 -c${s.clients} -m${s.streams} -D${s.duration}, best of ${s.runs}; new TLS connections: bursts of ${s.burst} clients, one request each (a full handshake, no resumption); req/s (mean ms per request); load average at the end ${loadText(results.loadEnd)}`,
    '',
    ...table(
      ['row', ...names],
      results.rows.map((row) => [
        row.name,
        ...names.map((name) =>
          cellText(row, name, (c) => `${fmtRate(c.rps)} (${c.meanMs.toFixed(2)})`),
        ),
      ]),
      ['left', ...right],
    ),
    '',
    'The edge’s req/s over each reference’s, with the target it is held to (bare Node: the static server, or the pass-through for the proxied row):',
    '',
    ...table(
      ['row', 'edge / bare Node', 'edge / Caddy', 'edge / nginx'],
      results.rows.map((row) => [
        row.name,
        overBare(row),
        overCaddy(row),
        times(ratio(row, H2_NGINX.name)),
      ]),
    ),
    '',
    'CPU time per request (µs, user + system, lowest of the runs; for new connections, per connection):',
    '',
    ...table(
      ['row', ...names],
      results.rows.map((row) => [
        row.name,
        ...names.map((name) => cellText(row, name, (c) => c.cpuUs.toFixed(1))),
      ]),
      ['left', ...right],
    ),
    '',
    tlsLine(results),
  ];
}
