/**
 * The bench's results as Markdown: the sections printed to stdout, and for
 * `--write <file>` the same under a header saying when, on what and how they
 * were measured, put between two markers so the file's hand-written parts stay.
 */
import { type H2Results, h2Judgements, h2Tables } from './h2-table.ts';
import { loadLine, loadText, roundsLine } from './markdown.ts';
import { cacheJudgements, cacheTable } from './proxy/cache-table.ts';
import type { ProxiedRow } from './proxy/rows.ts';
import { proxiedJudgements, proxiedTable } from './proxy/table.ts';
import { type Judgement, pct, SPREAD_BOUND, summaryLines } from './rounds.ts';
import {
  type StaticResults,
  staticJudgements,
  staticTables,
  type WrkSettings,
} from './static-table.ts';

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  node: string;
  /** Reference servers and the load generator, name → version ("not installed" if so). */
  tools: Readonly<Record<string, string>>;
}

export interface RunInfo {
  date: Date;
  commit: string;
  /** The work tree had changes the commit does not hold. */
  dirty: boolean;
  command: string;
  machine: Machine;
  loadStart: readonly number[];
  loadEnd: readonly number[];
}

export interface ProxiedSection {
  title: string;
  path: string;
  /** Load average when the section's rows began and when they were done. */
  loadStart: readonly number[];
  loadEnd: readonly number[];
  rows?: readonly ProxiedRow[];
  /** Why the rows were not measured (e.g. no Docker for the app's). */
  error?: string;
  /** The cache rows (proxy/cache-rows.ts), tabled against a hit instead of the edge's proxy row. */
  cache?: boolean;
  /** The proxied CPU and memory targets are judged here (the small response). */
  judged?: boolean;
}

export interface BenchResults {
  wrk: WrkSettings;
  static?: StaticResults;
  proxied: readonly ProxiedSection[];
  h2?: H2Results;
}

export function staticSection(results: StaticResults, wrk: WrkSettings): string[] {
  return ['### Static rows', '', ...staticTables(results, wrk)];
}

export function proxiedSection(section: ProxiedSection, wrk: WrkSettings): string[] {
  const lines = [`### ${section.cache ? 'Cache' : 'Proxied'}: ${section.title}`, ''];
  if (!section.rows) return [...lines, `Not measured: ${section.error ?? 'no rows'}.`];
  const options = { title: section.title, judged: section.judged === true, quick: wrk.quick };
  return [
    ...lines,
    `wrk -t1 -c${wrk.connections} -d${wrk.duration} ${section.path}, ${roundsLine(wrk)}; ${loadLine(section.loadStart, section.loadEnd)}`,
    '',
    ...(section.cache ? cacheTable(section.rows, options) : proxiedTable(section.rows, options)),
  ];
}

export function h2Section(results: H2Results, wrk: WrkSettings): string[] {
  return ['### HTTP/2 over TLS', '', ...h2Tables(results, wrk)];
}

/** Every judged target of the run, in the order the sections print them. */
export function judgements(results: BenchResults): Judgement[] {
  const { quick } = results.wrk;
  const all: Judgement[] = [];
  if (results.static) all.push(...staticJudgements(results.static, quick));
  for (const section of results.proxied) {
    const rows = section.rows ?? [];
    if (section.cache) all.push(...cacheJudgements(section.title, rows, quick));
    else if (section.judged) all.push(...proxiedJudgements(section.title, rows, quick));
  }
  if (results.h2) all.push(...h2Judgements(results.h2, quick));
  return all;
}

/** The end of the output: every judged target on one line, met, MISSED or not judged. */
export function summarySection(results: BenchResults): string[] {
  return [
    '### Summary: the judged targets',
    '',
    `CPU targets are edge ÷ reference, medians of the same run; not judged when either side’s CPU spread is over ${pct(SPREAD_BOUND)}${results.wrk.quick ? ', and nothing is judged on a quick run' : ''}.`,
    '',
    ...summaryLines(judgements(results)),
  ];
}

/** Every section of the results, as printed to stdout. */
export function resultSections(results: BenchResults): string[] {
  const parts: string[][] = [];
  if (results.static) parts.push(staticSection(results.static, results.wrk));
  for (const section of results.proxied) parts.push(proxiedSection(section, results.wrk));
  if (results.h2) parts.push(h2Section(results.h2, results.wrk));
  if (parts.length > 0) parts.push(summarySection(results));
  return parts.flatMap((part, i) => (i === 0 ? part : ['', ...part]));
}

/** The generated region's body: the run's header, then its results. */
export function renderRun(info: RunInfo, results: BenchResults): string {
  const m = info.machine;
  const tools = Object.entries(m.tools).map(([name, version]) => `${name} ${version}`);
  const lines = [
    '## Latest run',
    '',
    '<!-- Written by `npm run bench -- --write <file>`: everything between the bench:start and bench:end markers is replaced on the next run. -->',
    '',
    `- **date:** ${info.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- **commit:** \`${info.commit}\`${info.dirty ? ' (dirty: the work tree had uncommitted changes)' : ''}`,
    `- **command:** \`${info.command}\``,
    `- **machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB memory; ${m.os}, kernel ${m.kernel}; Node ${m.node}`,
    `- **tools:** ${tools.join(', ')}`,
    `- **load average** (1, 5, 15 min): ${loadText(info.loadStart)} at the start, ${loadText(info.loadEnd)} at the end`,
    `- **rounds:** ${roundsLine(results.wrk)}; a CPU verdict needs the edge’s and the reference’s CPU spread within ${pct(SPREAD_BOUND)}`,
    '',
    ...resultSections(results),
  ];
  return lines.join('\n');
}

/**
 * `existing` with the text between the markers replaced by `body`; with no
 * markers, the region is appended, so a file without them loses nothing. A
 * lone or misordered marker is refused rather than guessed at.
 */
export function replaceRegion(existing: string | undefined, body: string): string {
  const region = `${START}\n${body.trim()}\n${END}`;
  if (existing === undefined || existing.trim() === '') return `${region}\n`;
  const start = existing.indexOf(START);
  const end = existing.indexOf(END);
  const count = (marker: string) => existing.split(marker).length - 1;
  if (start === -1 && end === -1) return `${existing.trimEnd()}\n\n${region}\n`;
  if (count(START) !== 1 || count(END) !== 1 || end < start) {
    throw new Error(`expected one ${START} followed by one ${END}; fix the file by hand`);
  }
  return existing.slice(0, start) + region + existing.slice(end + END.length);
}
