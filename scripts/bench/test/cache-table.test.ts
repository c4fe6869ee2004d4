import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CACHE_TARGETS } from '../proxy/cache-rows.ts';
import { cacheJudgements, cacheTable } from '../proxy/cache-table.ts';
import type { ProxiedRow } from '../proxy/measure.ts';
import { figure } from '../rounds.ts';
import { rounds } from './fakes.ts';

const row = (target: string, rps: number, cpu: number | number[], app?: number): ProxiedRow => ({
  target,
  ...rounds(cpu, rps),
  ...(app === undefined ? {} : { upstreamCpuUs: figure([app, app, app]) }),
  memory: { rest: { rssMiB: 70, privateMiB: 30 }, peak: { rssMiB: 90, privateMiB: 45 } },
});

const TITLE = 'the app’s JSON endpoint, cached';
const options = { title: TITLE, quick: false };

test('the cache table: CPU first with the app’s beside it, ratios to a hit, the CPU target judged', () => {
  const lines = cacheTable(
    [
      row(CACHE_TARGETS.off, 2000, 300, 350),
      row(CACHE_TARGETS.hit, 24_000, 44, 2),
      row(CACHE_TARGETS.fast, 25_000, 40),
      { ...row(CACHE_TARGETS.nginx, 40_000, 20), memory: undefined },
    ],
    options,
  );
  const text = lines.join('\n');
  const header = lines.find((l) => l.startsWith('| target')) ?? '';
  assert.match(
    header,
    /^\| target +\| CPU µs\/req \| app CPU µs\/req \| +req\/s \| p50 ms \| p99 ms \| errors \| hit ÷ this, CPU \| hit ÷ this, req\/s \|$/,
  );
  assert.match(text, /\| edge, cache on \(hits\) +\| +44\.0 ±0% \| +2\.0 ±0% \| 24000 ±0% \|/);
  assert.match(
    text,
    /\| edge, cache off \(every request to the app\) \|[^\n]*\| +0\.15× \| +12\.00× \|/,
  );
  assert.ok(
    lines.includes(
      '- target CPU edge cache hit ÷ edge static fast path (1 KiB) ≤ 1.2×: 1.10× (met, ≤ 1.2×)',
    ),
  );
  assert.match(
    text,
    /- informational, req\/s: hit ÷ cache off 12\.00×, hit ÷ static fast path 0\.96×, hit ÷ nginx proxy_cache hit 0\.60×; CPU per request, cache off ÷ hit: 6\.82×/,
  );
  assert.match(
    text,
    /edge \+ app CPU per request \(PostgreSQL's not counted\): cache off 650 µs, hit 46 µs \(14\.1×\)/,
  );
  // Memory for the edge targets; nginx has none.
  assert.equal(lines.filter((l) => /^\| edge.* \| +90\.0 \|/.test(l)).length, 3);
});

test('a hit costing more CPU than 1.2× the fast path is MISSED; rounds that disagree are not judged', () => {
  const missed = cacheJudgements(
    TITLE,
    [row(CACHE_TARGETS.hit, 10_000, 90), row(CACHE_TARGETS.fast, 20_000, 50)],
    false,
  );
  assert.deepEqual(
    missed.map((j) => [j.what, j.verdict.text]),
    [
      [
        `cache, ${TITLE}: CPU edge cache hit ÷ edge static fast path (1 KiB)`,
        '1.80× (MISSED, ≤ 1.2×)',
      ],
    ],
  );
  const wide = cacheJudgements(
    TITLE,
    [row(CACHE_TARGETS.hit, 10_000, [40, 50, 60]), row(CACHE_TARGETS.fast, 20_000, 50)],
    false,
  );
  assert.equal(wide[0]?.verdict.text, '1.00× (spread too wide: edge ±40%)');
  const text = cacheTable([row(CACHE_TARGETS.hit, 10_000, 90)], options).join('\n');
  assert.match(text, /n\/a \(not judged: not measured\)/);
  assert.doesNotMatch(text, /edge \+ app CPU/, 'no app figure, no sum');
});
