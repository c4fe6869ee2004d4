import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProxiedRow } from '../proxy/rows.ts';
import {
  type BenchResults,
  END,
  type RunInfo,
  renderRun,
  replaceRegion,
  resultSections,
  START,
} from '../report.ts';
import type { StaticCell, StaticResults } from '../static-table.ts';

const cell = (rps: number, cpuUs: number): StaticCell => ({
  rps,
  p50Ms: 1,
  p99Ms: 2.5,
  errors: 0,
  requests: rps * 3,
  cpuUs,
});

// The edge at 0.8× bare, 3× Caddy, 0.5× nginx, 1.25× its Fastify route.
const cells = {
  edge: cell(40_000, 25),
  'edge, table via Fastify route': cell(32_000, 31),
  'bare node:http': cell(50_000, 20),
  nginx: cell(80_000, 12),
  caddy: cell(13_333.4, 80),
};

const STATIC: StaticResults = {
  rows: [
    { name: 'static 1 KiB', cells },
    { name: 'static 100 KiB', cells },
  ],
  memory: {
    edge: { rssMiB: 120.04, privateMiB: 60 },
    idle: { rssMiB: 90, privateMiB: 40 },
  },
  loadEnd: [1.5, 2, 2.25],
};

const proxied = (target: string, rps: number, extra: Partial<ProxiedRow> = {}): ProxiedRow => ({
  target,
  rps,
  p50Ms: 2,
  p99Ms: 7,
  errors: 0,
  requests: rps * 3,
  ...extra,
});

const RESULTS: BenchResults = {
  wrk: { connections: 50, duration: '3s', runs: 2 },
  static: STATIC,
  proxied: [
    {
      title: 'small response from a node:http upstream',
      path: '/',
      load: [3, 2, 1],
      rows: [
        proxied('bare node:http + undici dispatch', 20_000, { cpuUsPerRequest: 43, rssMiB: 170 }),
        proxied('edge (main.ts, 1 worker, access log on)', 18_000, { cpuUsPerRequest: 55 }),
        proxied('Caddy (reverse_proxy, GOMAXPROCS=1, log on)', 10_000),
      ],
    },
    { title: 'the app’s JSON endpoint', path: '', load: [4, 3, 2], error: 'docker: not found' },
  ],
};

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
  // static: req/s, ratios, CPU, memory; proxied: one (the app's was not measured).
  assert.equal(tables.length, 5);
  for (const table of tables) {
    assert.match(table[1] ?? '', /^\| -{3,}:? (\| -{3,}:? )*\|$/);
    const width = cellsOf(table[0] ?? '').length;
    for (const row of table) assert.equal(cellsOf(row).length, width, row);
  }
});

test('the static figures and the ratios the bench prints, with the targets judged', () => {
  const [req, ratios, cpu] = lines.filter((l) => l.startsWith('| static 1 KiB'));
  assert.deepEqual(cellsOf(req ?? ''), [
    'static 1 KiB',
    '40.0k (1.00 / 2.50)',
    '32.0k (1.00 / 2.50)',
    '50.0k (1.00 / 2.50)',
    '80.0k (1.00 / 2.50)',
    '13.3k (1.00 / 2.50)',
  ]);
  assert.deepEqual(cellsOf(ratios ?? ''), [
    'static 1 KiB',
    '0.80× (met, ≥ 0.8)',
    '3.00× (met, ≥ 2)',
    '0.50×',
    '1.25×',
  ]);
  // nginx is a target on the 100 KiB row only.
  assert.equal(
    cellsOf(
      rowOf('| static 100 KiB') &&
        (lines.filter((l) => l.startsWith('| static 100 KiB'))[1] as string),
    )[3],
    '0.50× (MISSED, ≥ 1)',
  );
  assert.deepEqual(cellsOf(cpu ?? ''), ['static 1 KiB', '25.0', '31.0', '20.0', '12.0', '80.0']);
  assert.deepEqual(cellsOf(rowOf('| under load (peak)')), [
    'under load (peak)',
    '120.0',
    '60.0',
    'MISSED',
  ]);
  assert.deepEqual(cellsOf(rowOf('| table via Fastify route')).slice(1), [
    'not measured',
    'not measured',
    '',
  ]);
});

test('the proxied rows with the edge’s ratio to each, and the targets judged', () => {
  assert.deepEqual(cellsOf(rowOf('| bare node:http + undici')), [
    'bare node:http + undici dispatch',
    '20000',
    '2.00',
    '7.00',
    '0',
    '43',
    '170',
    '0.90×',
  ]);
  assert.ok(lines.includes('- target edge ≥ 0.8× the bare pass-through: 0.90× (met)'));
  assert.ok(lines.includes('- target edge ≥ 1.6× Caddy: 1.80× (met)'));
  assert.ok(
    lines.includes('wrk -t1 -c50 -d3s /, best of 2; load average at the end 3.00 2.00 1.00'),
  );
});

test('stdout gets the same sections, without the header', () => {
  const sections = resultSections(RESULTS).join('\n');
  assert.ok(sections.startsWith('### Static rows\n'));
  assert.ok(renderRun(INFO, RESULTS).endsWith(sections));
});

test('the region between the markers is replaced, the hand-written text around it stays', () => {
  const file = `# Benchmarks\n\nHow to read it.\n\n${START}\nold run\n${END}\n\n## Measured decisions\n\nkept\n`;
  const once = replaceRegion(file, 'new run');
  assert.equal(
    once,
    `# Benchmarks\n\nHow to read it.\n\n${START}\nnew run\n${END}\n\n## Measured decisions\n\nkept\n`,
  );
  assert.equal(replaceRegion(once, 'new run'), once);
});

test('no markers: the region is appended and nothing is lost', () => {
  const file = '# Benchmarks\n\nhand-written log\n\n';
  assert.equal(
    replaceRegion(file, 'run'),
    `# Benchmarks\n\nhand-written log\n\n${START}\nrun\n${END}\n`,
  );
  assert.equal(replaceRegion(undefined, 'run\n'), `${START}\nrun\n${END}\n`);
});

test('a lone, doubled or misordered marker is refused, not guessed at', () => {
  for (const file of [
    `a\n${START}\nb\n`,
    `a\n${END}\nb\n`,
    `${END}\nx\n${START}\n`,
    `${START}\n${END}\n${START}\n${END}\n`,
  ]) {
    assert.throws(() => replaceRegion(file, 'run'), /expected one/);
  }
});
