/**
 * Rounds and verdicts, shared by the static, proxied, cache and h2 rows.
 * Every row runs each of its servers over several interleaved rounds and
 * reports each figure's median and spread: a best-of keeps the luckiest
 * run, and on a shared machine luck is most of what differs between runs.
 * Verdicts are on CPU per request, which outside load moves far less than
 * req/s, and only when both sides' rounds agree closely enough to trust.
 */

/** One measured run of one server on one row. */
export interface Sample {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time (user + system) of the server's processes over the run ÷ requests, µs. */
  cpuUs: number;
  requests: number;
  errors: number;
  /** h2load reports a mean per request instead of percentiles. */
  meanMs?: number;
}

/** A figure over the rounds: `spread` is (max − min) ÷ median, 0.1 for ±10%. */
export interface Figure {
  median: number;
  spread: number;
  min: number;
  max: number;
}

export interface Summary {
  rounds: number;
  rps: Figure;
  p50Ms: Figure;
  p99Ms: Figure;
  cpuUs: Figure;
  meanMs?: Figure;
  /** Over all rounds. */
  requests: number;
  errors: number;
}

/** Fewer rounds give no median worth the name and no spread at all; `--quick` allows them, unjudged. */
export const MIN_ROUNDS = 3;

/** A CPU spread wider than ±15% on either side of a ratio means the rounds disagree: no verdict. */
export const SPREAD_BOUND = 0.15;

// A round that failed to measure must not quietly drop out of the median.
const allFinite = (values: readonly number[]) =>
  values.length > 0 && values.every((v) => Number.isFinite(v));

export function median(values: readonly number[]): number {
  if (!allFinite(values)) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const at = (i: number) => sorted[i] as number;
  return sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

export function spread(values: readonly number[]): number {
  if (!allFinite(values)) return Number.NaN;
  const range = Math.max(...values) - Math.min(...values);
  const mid = median(values);
  if (range === 0) return 0;
  return mid > 0 ? range / mid : Number.POSITIVE_INFINITY;
}

export function figure(values: readonly number[]): Figure {
  const finite = allFinite(values);
  return {
    median: median(values),
    spread: spread(values),
    min: finite ? Math.min(...values) : Number.NaN,
    max: finite ? Math.max(...values) : Number.NaN,
  };
}

export function summarize(samples: readonly Sample[]): Summary {
  const of = (pick: (s: Sample) => number) => figure(samples.map(pick));
  const means = samples.map((s) => s.meanMs);
  const summary: Summary = {
    rounds: samples.length,
    rps: of((s) => s.rps),
    p50Ms: of((s) => s.p50Ms),
    p99Ms: of((s) => s.p99Ms),
    cpuUs: of((s) => s.cpuUs),
    requests: samples.reduce((n, s) => n + s.requests, 0),
    errors: samples.reduce((n, s) => n + s.errors, 0),
  };
  if (samples.length > 0 && means.every((m) => m !== undefined)) summary.meanMs = figure(means);
  return summary;
}

export const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');
export const pct = (s: number) => (Number.isFinite(s) ? `±${Math.round(s * 100)}%` : '±?');
/** `25.3 ±4%`: a median with its spread. */
export const withSpread = (f: Figure | undefined, text: (n: number) => string) =>
  f && Number.isFinite(f.median) ? `${text(f.median)} ${pct(f.spread)}` : 'n/a';
export const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 && Number.isFinite(a) ? a / b : Number.NaN;

const QUICK = 'quick run';

export type Status = 'met' | 'MISSED' | 'not judged';

export interface Verdict {
  status: Status;
  /** The figure judged, e.g. `1.08×` or `93.4 MiB`. */
  value: string;
  /** The target, e.g. `≤ 1.15×`. */
  target: string;
  /** The table cell: the value and what was concluded from it. */
  text: string;
  /** Why it was not judged. */
  reason?: string;
}

export interface JudgeOptions {
  /** `--quick`: too few rounds to judge anything. */
  quick?: boolean;
  bound?: number;
}

function judged(value: string, target: string, met: boolean): Verdict {
  const status = met ? 'met' : 'MISSED';
  return { status, value, target, text: `${value} (${status}, ${target})` };
}

function notJudged(value: string, target: string, reason: string): Verdict {
  // "spread too wide: …" already says no verdict; the others need saying.
  const said = reason.startsWith('spread') ? reason : `not judged: ${reason}`;
  return { status: 'not judged', value, target, text: `${value} (${said})`, reason };
}

/**
 * Edge CPU µs ÷ reference CPU µs (medians of the same run) against `max`:
 * lower is better. Not judged on a quick run, with errors on either side,
 * or when either side's CPU spread is wider than the bound.
 */
export function cpuVerdict(
  edge: Summary | undefined,
  ref: Summary | undefined,
  max: number,
  options: JudgeOptions = {},
): Verdict {
  const { quick = false, bound = SPREAD_BOUND } = options;
  const target = `≤ ${max}×`;
  const value = ratio(edge?.cpuUs.median, ref?.cpuUs.median);
  if (!edge || !ref || !Number.isFinite(value)) return notJudged('n/a', target, 'not measured');
  const text = times(value);
  if (quick) return notJudged(text, target, QUICK);
  const errors = [
    edge.errors > 0 ? `edge ${edge.errors}` : '',
    ref.errors > 0 ? `reference ${ref.errors}` : '',
  ].filter(Boolean);
  if (errors.length > 0) return notJudged(text, target, `errors: ${errors.join(', ')}`);
  // As printed, in whole percent: ±15% is within a ±15% bound, ±16% is not.
  const tooWide = (f: Figure) =>
    !Number.isFinite(f.spread) || Math.round(f.spread * 100) > Math.round(bound * 100);
  const wide = [
    tooWide(edge.cpuUs) ? `edge ${pct(edge.cpuUs.spread)}` : '',
    tooWide(ref.cpuUs) ? `reference ${pct(ref.cpuUs.spread)}` : '',
  ].filter(Boolean);
  if (wide.length > 0) return notJudged(text, target, `spread too wide: ${wide.join(', ')}`);
  // Judged as printed, so no cell reads `1.15× (MISSED, ≤ 1.15×)`.
  return judged(text, target, Number(value.toFixed(2)) <= max);
}

/** A measured amount (memory, MiB) against its ceiling: one reading, so only `quick` stops a verdict. */
export function limitVerdict(value: number | undefined, max: number, quick = false): Verdict {
  const target = `≤ ${max} MiB`;
  if (value === undefined || !Number.isFinite(value))
    return notJudged('n/a', target, 'not measured');
  const text = `${value.toFixed(1)} MiB`;
  if (quick) return notJudged(text, target, QUICK);
  return judged(text, target, Number(value.toFixed(1)) <= max);
}

/** A judged target, for the summary at the end. */
export interface Judgement {
  /** The section, the row and the figure, e.g. `static 1 KiB: CPU edge ÷ bare node:http`. */
  what: string;
  verdict: Verdict;
}

export function statusLabel(verdict: Verdict): string {
  return verdict.status === 'not judged' ? `not judged (${verdict.reason})` : verdict.status;
}

/** One line per judged target, then the counts. */
export function summaryLines(judgements: readonly Judgement[]): string[] {
  const count = (status: Status) => judgements.filter((j) => j.verdict.status === status).length;
  return [
    ...judgements.map(
      ({ what, verdict }) =>
        `- ${statusLabel(verdict)}: ${what} ${verdict.value} (target ${verdict.target})`,
    ),
    '',
    `${judgements.length} judged targets: ${count('met')} met, ${count('MISSED')} MISSED, ${count('not judged')} not judged.`,
  ];
}

/**
 * `--runs` as given, or why it is refused: at least MIN_ROUNDS, fewer only
 * with `--quick` (whose verdicts all read "not judged").
 */
export function checkRuns(value: string, quick: boolean): number | Error {
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1)
    return new Error(`--runs ${value}: expected a whole number ≥ 1`);
  if (runs < MIN_ROUNDS && !quick) {
    return new Error(
      `--runs ${value}: a median and a spread need at least ${MIN_ROUNDS} rounds; add --quick for a look that judges nothing`,
    );
  }
  return runs;
}
