/**
 * The targets the bench's verdicts judge, in one place: the tables read
 * them from here, and a unit test holds README.md's table of them to
 * `targetsTable()`, so the two cannot drift apart.
 *
 * CPU targets are edge CPU µs per request ÷ the reference's, medians of
 * the same run: lower is better. The references are the bare servers,
 * Node with none of the edge's features, so a ratio is what the features cost.
 */
import { table } from './markdown.ts';
import { SPREAD_BOUND } from './rounds.ts';

export interface CpuTarget {
  /** Where the target is printed: the section and the row(s). */
  where: string;
  /** The ratio, edge ÷ reference. */
  ratio: string;
  max: number;
}

export const CPU_TARGETS = {
  /** HTTP/1.1 static rows where the edge answers from memory as bare Node does. */
  static: {
    where: 'static rows: 1 KiB, 304, precompressed (.gz)',
    ratio: 'edge ÷ bare node:http',
    max: 1.15,
    rows: ['static 1 KiB', '304 (If-None-Match)', 'precompressed hit (.gz)'],
  },
  proxiedBare: {
    where: 'proxied: small response from a node:http upstream',
    ratio: 'edge ÷ bare node:http + undici dispatch',
    max: 1.1,
  },
  proxiedCaddy: {
    where: 'proxied: small response from a node:http upstream',
    ratio: 'edge ÷ Caddy',
    max: 0.5,
  },
  /** Static rows against bare node:http2, the proxied one against the bare h2→h1 pass-through. */
  h2: {
    where: 'h2 rows: static 1 KiB, static 100 KiB, proxied small response',
    ratio: 'edge ÷ its bare reference (node:http2, or the h2→h1 pass-through)',
    max: 1.2,
    rows: ['static 1 KiB', 'static 100 KiB', 'proxied small response'],
  },
  cacheHit: {
    where: 'cache: the app’s JSON endpoint, cached',
    ratio: 'edge cache hit ÷ edge static fast path (1 KiB)',
    max: 1.2,
  },
} as const satisfies Record<string, CpuTarget & { rows?: readonly string[] }>;

/** Per edge worker, at its peak under load: all of it, and the part that is its own (private). */
export const MEMORY_TARGETS = { rssMiB: 100, privateMiB: 50 } as const;

/** The sections whose edge worker's memory is judged (the others print theirs). */
const memoryWhere = 'static, proxied small response, h2: the edge worker at peak';

/** The targets as a Markdown table, for README.md. */
export function targetsTable(): string[] {
  const cpu = Object.values(CPU_TARGETS).map((t) => [t.where, `CPU ${t.ratio}`, `≤ ${t.max}×`]);
  return table(
    ['where', 'figure', 'target'],
    [
      ...cpu,
      [memoryWhere, 'RSS', `≤ ${MEMORY_TARGETS.rssMiB} MiB`],
      [memoryWhere, 'its own (private) memory', `≤ ${MEMORY_TARGETS.privateMiB} MiB`],
      [
        'every CPU target',
        'CPU spread of the edge and of the reference',
        `≤ ±${Math.round(SPREAD_BOUND * 100)}%, or not judged`,
      ],
    ],
  );
}
