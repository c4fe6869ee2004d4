/**
 * The soak's judgement, apart from Docker so it can be tested: the samples
 * of each process as series, and for each series and metric whether it
 * grew past its bound once warmed up. A leak grows steadily; GC and pools
 * saw-tooth and settle. So the first quarter of the run is left out, and
 * the median of the rest's first half is compared with the median of its
 * second half: a steady growth shows up whole, a spike does not.
 */

export const METRICS = ['rss', 'heapUsed', 'fds', 'sockets', 'eldP99Ms'] as const;

/** The role of control.ts's idle host process: never judged, its delay's growth is the machine's. */
export const CONTROL_ROLE = 'control';
export type Metric = (typeof METRICS)[number];

/** One reading of one process (probe.ts), or of a whole container (`rss` only). */
export interface Sample extends Partial<Record<Metric, number>> {
  /** `edge-1`, `app-1`, …; a container-wide reading has role `container`. */
  container: string;
  role: string;
  pid: number;
  /** ms since the epoch */
  t: number;
}

export interface Series {
  /** `edge-1 main.ts worker (pid 27)` */
  name: string;
  samples: Sample[];
}

const MiB = 1024 * 1024;

/** How much a series may grow between the two halves: the larger of `abs` and `rel` × its level. */
export const BOUNDS: Record<Metric, { abs: number; rel: number; unit: string }> = {
  rss: { abs: 8 * MiB, rel: 0.1, unit: 'bytes' },
  heapUsed: { abs: 8 * MiB, rel: 0.25, unit: 'bytes' },
  fds: { abs: 16, rel: 0, unit: 'descriptors' },
  sockets: { abs: 16, rel: 0, unit: 'sockets' },
  eldP99Ms: { abs: 50, rel: 1, unit: 'ms' },
};

export interface Finding {
  series: string;
  metric: Metric;
  early: number;
  late: number;
  allowed: number;
  ok: boolean;
}

export function toSeries(samples: readonly Sample[]): Series[] {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) {
    const name =
      s.role === 'container'
        ? `${s.container} (container)`
        : `${s.container} ${s.role} (pid ${s.pid})`;
    const list = byName.get(name) ?? [];
    list.push(s);
    byName.set(name, list);
  }
  return [...byName]
    .map(([name, list]) => ({ name, samples: list.sort((a, b) => a.t - b.t) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Fewer than this many readings after the warm-up: the series is not judged (too short a run). */
export const MIN_JUDGED = 4;

/** The medians of a series' two halves after the warm-up, or undefined (too short, or no such reading). */
export function halves(
  samples: readonly Sample[],
  metric: Metric,
  warmup = 0.25,
): { early: number; late: number } | undefined {
  const judged = samples.slice(Math.max(1, Math.ceil(samples.length * warmup)));
  if (judged.length < MIN_JUDGED) return undefined;
  const values = judged.map((s) => s[metric]);
  if (values.some((v) => v === undefined)) return undefined;
  const half = judged.length >> 1;
  return {
    early: median(values.slice(0, half) as number[]),
    late: median(values.slice(judged.length - half) as number[]),
  };
}

/**
 * Every series but the control, each metric against its bound. A process's
 * event-loop delay may also grow by as much as the control's did: that
 * much came from the machine.
 */
export function judge(series: readonly Series[], warmup = 0.25): Finding[] {
  const isControl = (s: Series) => s.samples[0]?.role === CONTROL_ROLE;
  const control = series.find(isControl);
  const machine = control ? halves(control.samples, 'eldP99Ms', warmup) : undefined;
  const machineGrowth = machine ? Math.max(0, machine.late - machine.early) : 0;
  const findings: Finding[] = [];
  for (const s of series) {
    if (isControl(s)) continue;
    for (const metric of METRICS) {
      const split = halves(s.samples, metric, warmup);
      if (split === undefined) continue;
      const { early, late } = split;
      const bound = BOUNDS[metric];
      const allowed =
        Math.max(bound.abs, bound.rel * early) + (metric === 'eldP99Ms' ? machineGrowth : 0);
      findings.push({ series: s.name, metric, early, late, allowed, ok: late - early <= allowed });
    }
  }
  return findings;
}

export function formatValue(metric: Metric, value: number): string {
  if (BOUNDS[metric].unit === 'bytes') return `${(value / MiB).toFixed(1)} MiB`;
  if (metric === 'eldP99Ms') return `${value.toFixed(1)} ms`;
  return String(Math.round(value));
}
