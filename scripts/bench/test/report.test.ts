import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BenchResults,
  judgements,
  type RunInfo,
  renderRun,
  resultSections,
} from '../report.ts';
import { RESULTS } from './fakes.ts';

const INFO: RunInfo = {
  date: new Date('2026-12-02T14:30:59Z'),
  commit: 'abc1234',
  dirty: true,
  command: 'npm run bench -- --write docs/benchmarks.md',
  machine: {
    cpu: 'Test CPU @ 2.0GHz',
    cores: 2,
    memoryGiB: 7.75,
    os: 'Debian GNU/Linux 13 (trixie)',
    kernel: '6.1.0-test',
    node: 'v24.21.0',
    tools: { nginx: '1.26.3', Caddy: 'v2.6.2', HAProxy: '3.0.11', wrk: 'not installed' },
  },
  loadStart: [0.5, 0.75, 1],
  loadEnd: [2, 1.5, 1.25],
};

const lines = renderRun(INFO, RESULTS).split('\n');
const rowOf = (start: string) => lines.find((line) => line.startsWith(start)) ?? '';
const cellsOf = (line: string) =>
  line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());

test('the header: date in UTC, commit (dirty), command, machine, tools, load at start and end', () => {
  assert.equal(lines[0], '## Latest run');
  assert.ok(lines.includes('- **date:** 2026-12-02 14:30 UTC'));
  assert.match(rowOf('- **commit:**'), /`abc1234` \(dirty/);
  assert.ok(lines.includes('- **command:** `npm run bench -- --write docs/benchmarks.md`'));
  assert.equal(
    rowOf('- **machine:**'),
    '- **machine:** Test CPU @ 2.0GHz, 2 cores, 7.8 GiB memory; Debian GNU/Linux 13 (trixie), kernel 6.1.0-test; Node v24.21.0',
  );
  assert.equal(
    rowOf('- **tools:**'),
    '- **tools:** nginx 1.26.3, Caddy v2.6.2, HAProxy 3.0.11, wrk not installed',
  );
  assert.match(
    rowOf('- **load average**'),
    /0\.50 0\.75 1\.00 at the start, 2\.00 1\.50 1\.25 at the end/,
  );
  assert.equal(
    rowOf('- **rounds:**'),
    '- **rounds:** 3 rounds interleaved; medians, ±spread = (max − min) ÷ median; a CPU verdict needs the edge’s and the reference’s CPU spread within ±15%',
  );
  const clean = renderRun({ ...INFO, dirty: false }, RESULTS);
  assert.match(clean, /^- \*\*commit:\*\* `abc1234`$/m);
});

test('one section per row family, in order', () => {
  const headings = lines.filter((line) => line.startsWith('#'));
  assert.deepEqual(headings, [
    '## Latest run',
    '### Static rows',
    '### Proxied: small response from a node:http upstream',
    '### Proxied: the app’s JSON endpoint',
    '### Summary: the judged targets',
  ]);
  assert.ok(lines.includes('Not measured: docker: not found.'));
});

test('every table is well formed: a header, a rule, rows of as many cells', () => {
  const tables: string[][] = [];
  let inTable = false;
  for (const line of lines) {
    if (line.startsWith('|') && !inTable) tables.push([]);
    inTable = line.startsWith('|');
    if (inTable) tables.at(-1)?.push(line);
  }
  // static: CPU, CPU ratios, req/s, req/s ratios, memory; proxied: rows, memory (the app's was not measured).
  assert.equal(tables.length, 7);
  for (const table of tables) {
    assert.match(table[1] ?? '', /^\| -{3,}:? (\| -{3,}:? )*\|$/);
    const width = cellsOf(table[0] ?? '').length;
    for (const row of table) assert.equal(cellsOf(row).length, width, row);
  }
});

test('the static section: settings, rounds and load at the start and end, CPU first', () => {
  const at = lines.indexOf('### Static rows');
  assert.equal(
    lines[at + 2],
    'wrk -t1 -c50 -d3s, 3 rounds interleaved; medians, ±spread = (max − min) ÷ median; load average (1, 5, 15 min) 0.50 0.75 1.00 at the start, 1.50 2.00 2.25 at the end',
  );
  assert.match(lines[at + 4] ?? '', /^CPU µs per request/);
  const [cpu, cpuRatios, req, reqRatios] = lines.filter((l) => l.startsWith('| static 1 KiB'));
  assert.deepEqual(cellsOf(cpu ?? ''), [
    'static 1 KiB',
    '22.0 ±5%',
    '27.5 ±0%',
    '20.0 ±0%',
    '8.8 ±0%',
    '73.3 ±0%',
  ]);
  assert.deepEqual(cellsOf(cpuRatios ?? ''), [
    'static 1 KiB',
    '1.10× (met, ≤ 1.15×)',
    '0.30×',
    '2.50×',
    '0.80×',
  ]);
  assert.deepEqual(cellsOf(req ?? ''), [
    'static 1 KiB',
    '40.0k ±0% (1.00 / 2.50)',
    '32.0k ±0% (1.00 / 2.50)',
    '50.0k ±0% (1.00 / 2.50)',
    '80.0k ±0% (1.00 / 2.50)',
    '13.3k ±7% (1.00 / 2.50)',
  ]);
  // req/s ratios are information now: no verdicts.
  assert.deepEqual(cellsOf(reqRatios ?? ''), ['static 1 KiB', '0.80×', '3.00×', '0.50×', '1.25×']);
});

test('the static verdicts: 1 KiB, 304 and .gz judged on CPU; 100 KiB informational; wide spread not judged', () => {
  const ratioRow = (name: string) =>
    cellsOf(lines.filter((l) => l.startsWith(`| ${name}`))[1] ?? '');
  assert.equal(ratioRow('static 100 KiB')[1], '1.10×');
  assert.equal(ratioRow('304 (If-None-Match)')[1], '1.32× (spread too wide: edge ±23%)');
  assert.equal(ratioRow('precompressed hit (.gz)')[1], '1.50× (MISSED, ≤ 1.15×)');
});

test('the edge worker’s memory at rest and at peak, RSS and its own, against their targets', () => {
  assert.ok(
    lines.some((l) =>
      l.includes('targets for the edge worker at peak: RSS ≤ 100 MiB, its own ≤ 50 MiB'),
    ),
  );
  assert.deepEqual(cellsOf(rowOf('| edge (fast path)')), [
    'edge (fast path)',
    '90.0',
    '40.0',
    '120.0',
    '48.0',
    'RSS MISSED, its own met',
  ]);
  assert.deepEqual(cellsOf(rowOf('| edge, table via Fastify route')).slice(1), [
    'not measured',
    'not measured',
    'not measured',
    'not measured',
    '',
  ]);
});

test('the proxied rows: CPU first, the edge’s ratios, the CPU targets judged, memory', () => {
  const at = lines.indexOf('### Proxied: small response from a node:http upstream');
  assert.equal(
    lines[at + 2],
    'wrk -t1 -c50 -d3s /, 3 rounds interleaved; medians, ±spread = (max − min) ÷ median; load average (1, 5, 15 min) 1.00 2.00 3.00 at the start, 3.00 2.00 1.00 at the end',
  );
  assert.deepEqual(cellsOf(rowOf('| target')), [
    'target',
    'CPU µs/req',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'edge ÷ this, CPU',
    'edge ÷ this, req/s',
  ]);
  assert.deepEqual(cellsOf(rowOf('| bare node:http + undici')), [
    'bare node:http + undici dispatch',
    '50.0 ±0%',
    '20000 ±0%',
    '1.00',
    '2.50',
    '0',
    '1.10×',
    '0.90×',
  ]);
  assert.ok(
    lines.includes(
      '- target CPU edge ÷ bare node:http + undici dispatch ≤ 1.1×: 1.10× (met, ≤ 1.1×)',
    ),
  );
  assert.ok(lines.includes('- target CPU edge ÷ Caddy ≤ 0.5×: 0.55× (MISSED, ≤ 0.5×)'));
  assert.deepEqual(cellsOf(lines.filter((l) => l.startsWith('| edge (main.ts'))[1] ?? ''), [
    'edge (main.ts, 1 worker, access log on)',
    '75.0',
    '35.0',
    '95.0',
    '45.0',
    'RSS met, its own met',
  ]);
});

test('the summary at the end: every judged target, one line each, and the counts', () => {
  const at = lines.indexOf('### Summary: the judged targets');
  assert.ok(at > lines.indexOf('Not measured: docker: not found.'), 'after every section');
  const summary = lines.slice(at).filter((l) => l.startsWith('- '));
  assert.deepEqual(summary, [
    '- met: static 1 KiB: CPU edge ÷ bare node:http 1.10× (target ≤ 1.15×)',
    '- not judged (spread too wide: edge ±23%): static 304 (If-None-Match): CPU edge ÷ bare node:http 1.32× (target ≤ 1.15×)',
    '- MISSED: static precompressed hit (.gz): CPU edge ÷ bare node:http 1.50× (target ≤ 1.15×)',
    '- MISSED: static, edge (fast path): RSS at peak 120.0 MiB (target ≤ 100 MiB)',
    '- met: static, edge (fast path): its own memory at peak 48.0 MiB (target ≤ 50 MiB)',
    '- met: proxied, small response from a node:http upstream: CPU edge ÷ bare node:http + undici dispatch 1.10× (target ≤ 1.1×)',
    '- MISSED: proxied, small response from a node:http upstream: CPU edge ÷ Caddy 0.55× (target ≤ 0.5×)',
    '- met: proxied, small response from a node:http upstream, edge (main.ts, 1 worker, access log on): RSS at peak 95.0 MiB (target ≤ 100 MiB)',
    '- met: proxied, small response from a node:http upstream, edge (main.ts, 1 worker, access log on): its own memory at peak 45.0 MiB (target ≤ 50 MiB)',
  ]);
  assert.equal(lines.at(-1), '9 judged targets: 5 met, 3 MISSED, 1 not judged.');
});

test('a quick run judges nothing, and says so in every section and the summary', () => {
  const quick = { ...RESULTS, wrk: { ...RESULTS.wrk, runs: 1, quick: true } };
  const text = resultSections(quick);
  assert.ok(
    text.some((l) => l.startsWith('wrk -t1 -c50 -d3s, 1 round (quick run: nothing judged)')),
  );
  assert.equal(
    cellsOf(text.filter((l) => l.startsWith('| static 1 KiB'))[1] ?? '')[1],
    '1.10× (not judged: quick run)',
  );
  assert.equal(
    cellsOf(text.find((l) => l.startsWith('| edge (fast path)')) ?? '').at(-1),
    'not judged (quick run)',
  );
  const all = judgements(quick);
  assert.ok(all.length > 0);
  assert.ok(
    all.every((j) => j.verdict.status === 'not judged' && j.verdict.reason === 'quick run'),
  );
  assert.equal(
    text.at(-1),
    `${all.length} judged targets: 0 met, 0 MISSED, ${all.length} not judged.`,
  );
});

test('a judged section not measured still has its targets in the summary, as not judged', () => {
  const missing = judgements({
    ...RESULTS,
    proxied: [
      { ...(RESULTS.proxied[0] as BenchResults['proxied'][number]), rows: undefined, error: 'x' },
    ],
  }).filter((j) => j.what.startsWith('proxied'));
  assert.equal(missing.length, 2);
  assert.ok(missing.every((j) => j.verdict.reason === 'not measured'));
});

test('stdout gets the same sections, without the header', () => {
  const sections = resultSections(RESULTS).join('\n');
  assert.ok(sections.startsWith('### Static rows\n'));
  assert.ok(renderRun(INFO, RESULTS).endsWith(sections));
});
