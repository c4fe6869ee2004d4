/**
 * A worker's memory at rest and at its peak under load, as the static,
 * proxied and h2 sections all report it: RSS, and the private part that is
 * the worker's own (the rest is mostly the node binary, mapped once for
 * every worker), held to MEMORY_TARGETS at the peak.
 */
import { table } from './markdown.ts';
import { type Memory, memory } from './processes.ts';
import { type Judgement, limitVerdict, type Verdict } from './rounds.ts';
import { MEMORY_TARGETS } from './verdict-targets.ts';

export interface WorkerMemory {
  /** Started, before any load. */
  rest?: Memory;
  /** The highest RSS and the highest private memory seen while it was measured. */
  peak?: Memory;
  /** The row whose runs saw the highest RSS, where a section has several. */
  peakRow?: string;
}

/** Folds one run's peak into `m`, remembering the row when its RSS is the highest yet. */
export function addPeak(m: WorkerMemory, peak: Memory | undefined, row: string): void {
  if (peak && peak.rssMiB > (m.peak?.rssMiB ?? -1)) m.peakRow = row;
  m.peak = higher(m.peak, peak);
}

/** Each field's maximum: RSS and private memory peak at different moments. */
export function higher(a: Memory | undefined, b: Memory | undefined): Memory | undefined {
  if (!a || !b) return a ?? b;
  return { rssMiB: Math.max(a.rssMiB, b.rssMiB), privateMiB: Math.max(a.privateMiB, b.privateMiB) };
}

/** The processes' memory now, each field the highest among them. */
export function memoryOf(pids: readonly number[]): Memory | undefined {
  return pids.map((pid) => memory(pid)).reduce<Memory | undefined>(higher, undefined);
}

const SAMPLE_MS = 250;

/** Samples `pids()` every 250 ms until the returned stop(), which gives the peak. */
export function samplePeak(pids: () => readonly number[]): () => Memory | undefined {
  let peak = memoryOf(pids());
  const timer = setInterval(() => {
    peak = higher(peak, memoryOf(pids()));
  }, SAMPLE_MS);
  return () => {
    clearInterval(timer);
    return higher(peak, memoryOf(pids()));
  };
}

export interface MemoryRow {
  what: string;
  memory: WorkerMemory | undefined;
  /** Its peak is held to MEMORY_TARGETS. */
  judged?: boolean;
}

const mib = (n: number | undefined) => (n === undefined ? 'not measured' : n.toFixed(1));

function peakVerdicts(m: WorkerMemory | undefined, quick: boolean): [Verdict, Verdict] {
  return [
    limitVerdict(m?.peak?.rssMiB, MEMORY_TARGETS.rssMiB, quick),
    limitVerdict(m?.peak?.privateMiB, MEMORY_TARGETS.privateMiB, quick),
  ];
}

/** The judged rows' peaks against MEMORY_TARGETS, for the summary. */
export function memoryJudgements(
  section: string,
  rows: readonly MemoryRow[],
  quick: boolean,
): Judgement[] {
  return rows
    .filter((row) => row.judged)
    .flatMap((row) => {
      const [rss, own] = peakVerdicts(row.memory, quick);
      return [
        { what: `${section}, ${row.what}: RSS at peak`, verdict: rss },
        { what: `${section}, ${row.what}: its own memory at peak`, verdict: own },
      ];
    });
}

/** `first`: what the rows are (edge workers, or Node processes of which the edge's are workers). */
export function memoryTable(
  rows: readonly MemoryRow[],
  quick: boolean,
  first = 'edge worker',
): string[] {
  const { rssMiB, privateMiB } = MEMORY_TARGETS;
  const verdict = (v: Verdict) => (v.status === 'not judged' ? v.reason : v.status) ?? '';
  // Where a section has several rows, which one to look at for the peak.
  const onRow = rows.some((row) => row.memory?.peakRow !== undefined);
  return [
    `Memory, MiB (an edge’s is its worker’s: the primary only forks and relays; targets for the edge worker at peak: RSS ≤ ${rssMiB} MiB, its own ≤ ${privateMiB} MiB):`,
    '',
    ...table(
      [
        first,
        'RSS at rest',
        'its own at rest',
        'RSS at peak',
        'its own at peak',
        ...(onRow ? ['RSS peaked on'] : []),
        'targets',
      ],
      rows.map((row) => {
        const m = row.memory;
        const [rss, own] = peakVerdicts(m, quick);
        // One reason for both (a quick run, nothing measured) is said once.
        const same =
          rss.status === 'not judged' && own.status === 'not judged' && rss.reason === own.reason;
        const both = same
          ? `not judged (${rss.reason})`
          : `RSS ${verdict(rss)}, its own ${verdict(own)}`;
        const judged = row.judged ? both : '';
        return [
          row.what,
          mib(m?.rest?.rssMiB),
          mib(m?.rest?.privateMiB),
          mib(m?.peak?.rssMiB),
          mib(m?.peak?.privateMiB),
          ...(onRow ? [m?.peakRow ?? ''] : []),
          judged,
        ];
      }),
      ['left', 'right', 'right', 'right', 'right', ...(onRow ? ['left' as const] : []), 'left'],
    ),
    '',
    '"its own": private pages (heap, buffers); the rest of the RSS is mostly the node binary, mapped once for every worker. Peak: the highest reading, every 250 ms, over the measured runs.',
  ];
}
