/** Fake rounds for the table tests: figures in, the summary the bench would make of them out. */
import { type Sample, type Summary, summarize } from '../rounds.ts';

const three = (v: number | readonly number[]) => (typeof v === 'number' ? [v, v, v] : v);

/**
 * `cpu` and `rps` per round; a single number is three equal rounds (no
 * spread). Latency 1 / 2.5 ms, no errors unless `extra` says so.
 */
export function rounds(
  cpu: number | readonly number[],
  rps: number | readonly number[],
  extra: Partial<Sample> = {},
): Summary {
  const c = three(cpu);
  const r = three(rps);
  const samples: Sample[] = c.map((cpuUs, i) => ({
    rps: r[i] ?? Number.NaN,
    p50Ms: 1,
    p99Ms: 2.5,
    requests: (r[i] ?? 0) * 3,
    errors: 0,
    cpuUs,
    ...extra,
  }));
  return summarize(samples);
}
