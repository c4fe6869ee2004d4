import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkRuns,
  cpuVerdict,
  limitVerdict,
  median,
  SPREAD_BOUND,
  spread,
  summarize,
  summaryLines,
} from '../rounds.ts';
import { rounds } from './fakes.ts';

test('the median: the middle round, or the mean of the two middle ones', () => {
  assert.equal(median([30, 10, 20]), 20);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.ok(Number.isNaN(median([])));
  // A round that failed to measure spoils the figure instead of dropping out of it.
  assert.ok(Number.isNaN(median([1, Number.NaN, 3])));
});

test('the spread: (max − min) ÷ median', () => {
  assert.equal(spread([90, 100, 110]), 0.2);
  assert.equal(spread([5, 5, 5]), 0);
  assert.equal(spread([0, 0, 1]), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(spread([1, Number.NaN])));
});

test('summarize: medians and spreads of each figure, requests and errors summed', () => {
  const s = summarize([
    { rps: 1000, p50Ms: 1, p99Ms: 5, cpuUs: 40, requests: 3000, errors: 0 },
    { rps: 1200, p50Ms: 2, p99Ms: 9, cpuUs: 44, requests: 3600, errors: 1 },
    { rps: 900, p50Ms: 3, p99Ms: 7, cpuUs: 42, requests: 2700, errors: 0 },
  ]);
  assert.equal(s.rounds, 3);
  assert.deepEqual(s.rps, { median: 1000, spread: 0.3, min: 900, max: 1200 });
  assert.equal(s.p50Ms.median, 2);
  assert.equal(s.p99Ms.median, 7);
  assert.equal(s.cpuUs.median, 42);
  assert.ok(Math.abs(s.cpuUs.spread - 4 / 42) < 1e-12);
  assert.equal(s.requests, 9300);
  assert.equal(s.errors, 1);
  assert.equal(s.meanMs, undefined, 'no mean without h2load');
  assert.equal(rounds(1, 1, { meanMs: 0.5 }).meanMs?.median, 0.5);
});

test('a CPU verdict: edge ÷ reference medians against "≤ max", judged as printed', () => {
  const bare = rounds(20, 50_000);
  assert.deepEqual(cpuVerdict(rounds(22, 40_000), bare, 1.15), {
    status: 'met',
    value: '1.10×',
    target: '≤ 1.15×',
    text: '1.10× (met, ≤ 1.15×)',
  });
  assert.equal(cpuVerdict(rounds(23, 40_000), bare, 1.15).text, '1.15× (met, ≤ 1.15×)');
  assert.equal(cpuVerdict(rounds(23.1, 40_000), bare, 1.15).text, '1.16× (MISSED, ≤ 1.15×)');
  assert.equal(cpuVerdict(rounds(23.1, 40_000), bare, 1.15).status, 'MISSED');
});

test('a spread over the bound on either side: not judged, and the cell says whose', () => {
  const bare = rounds(20, 50_000);
  const wide = rounds([22, 26.4, 28], 40_000); // (28 − 22) ÷ 26.4 = ±23%
  const verdict = cpuVerdict(wide, bare, 1.15);
  assert.equal(verdict.status, 'not judged');
  assert.equal(verdict.text, '1.32× (spread too wide: edge ±23%)');
  assert.equal(verdict.reason, 'spread too wide: edge ±23%');
  const both = cpuVerdict(wide, rounds([17, 20, 21], 50_000), 1.15);
  assert.equal(both.text, '1.32× (spread too wide: edge ±23%, reference ±20%)');
  // At the bound is still judged; the bound is one constant.
  assert.equal(SPREAD_BOUND, 0.15);
  assert.equal(cpuVerdict(rounds([18.5, 20, 21.5], 1), bare, 1.15).status, 'met');
  // …as printed: ±15.25% reads ±15%, ±15.5% reads ±16%.
  assert.equal(cpuVerdict(rounds([18.45, 20, 21.5], 1), bare, 1.15).status, 'met');
  assert.equal(
    cpuVerdict(rounds([18.4, 20, 21.5], 1), bare, 1.15).text,
    '1.00× (spread too wide: edge ±16%)',
  );
  assert.equal(cpuVerdict(wide, bare, 1.15, { bound: 0.3 }).status, 'MISSED');
});

test('a quick run, errors, or a side not measured: not judged', () => {
  const bare = rounds(20, 50_000);
  const quick = cpuVerdict(rounds(22, 40_000), bare, 1.15, { quick: true });
  assert.equal(quick.status, 'not judged');
  assert.equal(quick.text, '1.10× (not judged: quick run)');
  assert.equal(quick.reason, 'quick run');
  const errors = cpuVerdict(rounds(22, 40_000, { errors: 4 }), bare, 1.15);
  assert.equal(errors.text, '1.10× (not judged: errors: edge 12)');
  assert.equal(cpuVerdict(undefined, bare, 1.15).text, 'n/a (not judged: not measured)');
  assert.equal(cpuVerdict(rounds(Number.NaN, 1), bare, 1.15).status, 'not judged');
});

test('a memory ceiling: met, MISSED, quick, not measured', () => {
  assert.equal(limitVerdict(93.44, 100).text, '93.4 MiB (met, ≤ 100 MiB)');
  assert.equal(limitVerdict(100.04, 100).status, 'met', 'as printed: 100.0');
  assert.equal(limitVerdict(120, 100).text, '120.0 MiB (MISSED, ≤ 100 MiB)');
  assert.equal(limitVerdict(40, 50, true).text, '40.0 MiB (not judged: quick run)');
  assert.equal(limitVerdict(undefined, 50).status, 'not judged');
});

test('the summary: one line per target, status first, then the counts', () => {
  const bare = rounds(20, 50_000);
  const lines = summaryLines([
    { what: 'static 1 KiB: CPU edge ÷ bare', verdict: cpuVerdict(rounds(22, 1), bare, 1.15) },
    { what: 'static 304: CPU edge ÷ bare', verdict: cpuVerdict(rounds(30, 1), bare, 1.15) },
    {
      what: 'static .gz: CPU edge ÷ bare',
      verdict: cpuVerdict(rounds([22, 26.4, 28], 1), bare, 1.15),
    },
    { what: 'h2: CPU', verdict: cpuVerdict(rounds(22, 1), bare, 1.2, { quick: true }) },
  ]);
  assert.deepEqual(lines, [
    '- met: static 1 KiB: CPU edge ÷ bare 1.10× (target ≤ 1.15×)',
    '- MISSED: static 304: CPU edge ÷ bare 1.50× (target ≤ 1.15×)',
    '- not judged (spread too wide: edge ±23%): static .gz: CPU edge ÷ bare 1.32× (target ≤ 1.15×)',
    '- not judged (quick run): h2: CPU 1.10× (target ≤ 1.2×)',
    '',
    '4 judged targets: 1 met, 1 MISSED, 2 not judged.',
  ]);
});

test('--runs: at least 3, fewer only with --quick', () => {
  assert.equal(checkRuns('3', false), 3);
  assert.equal(checkRuns('5', false), 5);
  assert.equal(checkRuns('1', true), 1);
  assert.equal(checkRuns('2', true), 2);
  const refused = checkRuns('2', false);
  assert.ok(refused instanceof Error);
  assert.match(refused.message, /^--runs 2: .*at least 3 rounds.*--quick/);
  assert.ok(!refused.message.includes('\n'), 'one line');
  assert.ok(checkRuns('0', true) instanceof Error);
  assert.ok(checkRuns('two', true) instanceof Error);
});
