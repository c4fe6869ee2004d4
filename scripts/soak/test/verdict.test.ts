/**
 * The soak's judgement and picture (verdict.ts, plot.ts) on made-up
 * readings: a steady growth is caught whatever its noise, a warm-up and a
 * saw-tooth are not, and a run too short is not judged at all.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawSoak } from '../plot.ts';
import { CONTROL_ROLE, judge, type Sample, toSeries } from '../verdict.ts';

const MiB = 1024 * 1024;

function readings(count: number, at: (i: number) => Partial<Sample>): Sample[] {
  return Array.from({ length: count }, (_, i) => ({
    container: 'edge-1',
    role: 'main.ts worker',
    pid: 20,
    t: 1_000_000 + i * 10_000,
    ...at(i),
  }));
}

const verdicts = (samples: Sample[]) =>
  Object.fromEntries(judge(toSeries(samples)).map((f) => [f.metric, f.ok]));

test('a steady growth of sockets and memory is caught, a flat series is not', () => {
  // 2 sockets and 1 MiB more every reading: 36 readings, an hour at 100 s.
  const leak = readings(36, (i) => ({ sockets: 10 + 2 * i, rss: 100 * MiB + i * MiB, fds: 30 }));
  assert.deepEqual(verdicts(leak), { rss: false, sockets: false, fds: true });
});

test('a saw-tooth heap and a warm-up climb are flat', () => {
  const samples = readings(24, (i) => ({
    // Climbs for the first quarter (caches filling), then saw-tooths around 60 MiB.
    heapUsed: i < 6 ? 10 * MiB * i : 60 * MiB + (i % 3) * 8 * MiB,
    eldP99Ms: i % 4 === 0 ? 40 : 12,
  }));
  assert.deepEqual(verdicts(samples), { heapUsed: true, eldP99Ms: true });
});

test('a growth inside the bound passes: 10% or 8 MiB of resident memory', () => {
  const samples = readings(20, (i) => ({ rss: 200 * MiB + (i >= 12 ? 15 * MiB : 0) }));
  assert.deepEqual(verdicts(samples), { rss: true });
  const beyond = readings(20, (i) => ({ rss: 200 * MiB + (i >= 12 ? 30 * MiB : 0) }));
  assert.deepEqual(verdicts(beyond), { rss: false });
});

test('too few readings after the warm-up: nothing judged', () => {
  assert.deepEqual(judge(toSeries(readings(4, () => ({ rss: MiB })))), []);
});

test('readings are grouped per container, process and pid; a container reading apart', () => {
  const samples = [
    ...readings(2, () => ({ rss: MiB })),
    ...readings(2, () => ({ pid: 21, rss: MiB })),
    { container: 'db-1', role: 'container', pid: 0, t: 1, rss: MiB },
  ];
  assert.deepEqual(
    toSeries(samples).map((s) => [s.name, s.samples.length]),
    [
      ['db-1 (container)', 1],
      ['edge-1 main.ts worker (pid 20)', 2],
      ['edge-1 main.ts worker (pid 21)', 2],
    ],
  );
});

test('the plot has a line per series in each panel it has readings for, names escaped', () => {
  const samples = [
    ...readings(5, (i) => ({ rss: i * MiB, heapUsed: MiB, fds: 3, eldP99Ms: 1 })),
    ...readings(5, (i) => ({ container: 'app<1>', role: 'container', pid: 0, rss: i * MiB })),
  ];
  const svg = drawSoak(toSeries(samples), 'soak & test');
  assert.equal(svg.match(/<polyline /g)?.length, 4 + 1);
  assert.match(svg, /app&lt;1&gt; \(container\)/);
  assert.match(svg, /<title>soak &amp; test<\/title>/);
  assert.ok(svg.startsWith('<svg ') && svg.trimEnd().endsWith('</svg>'));
});

test("the machine's share: a process's delay may grow by as much as the idle control's did", () => {
  const busier = (i: number) => (i >= 12 ? 80 : 0);
  const stack = readings(20, (i) => ({ eldP99Ms: 20 + busier(i) }));
  const control = readings(20, (i) => ({
    container: 'host',
    role: CONTROL_ROLE,
    pid: 99,
    eldP99Ms: 5 + busier(i),
  }));
  // Alone it grew past its bound (50 ms); with the control's growth allowed, flat.
  assert.deepEqual(verdicts(stack), { eldP99Ms: false });
  const findings = judge(toSeries([...stack, ...control]));
  assert.deepEqual(
    findings.map((f) => [f.series, f.ok, f.allowed]),
    [['edge-1 main.ts worker (pid 20)', true, 130]],
  );
  // The control itself is never judged, and its growth lends nothing to memory.
  const leak = readings(20, (i) => ({ rss: 100 * MiB + i * 2 * MiB }));
  assert.deepEqual(
    judge(toSeries([...leak, ...control])).map((f) => [f.metric, f.ok]),
    [['rss', false]],
  );
});
