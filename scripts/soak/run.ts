/**
 * `npm run soak`: the real compose stack (with probe.ts in every app and
 * edge process) under mixed load for a fixed time, sampled every
 * `--every` seconds; fails (exit 1) when a series grows past its bound
 * after warm-up (verdict.ts), when a request of the load fails, or when a
 * container gave no readings. See README.md.
 *
 *   npm run soak -- [--minutes 3] [--rate 300] [--every 10] [--plot docs/soak.svg]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PAGE_PATH } from '../../e2e/src/domain.ts';
import { copyLocalCa, httpsPort } from '../../e2e/src/edge-tls.ts';
import { staticPaths } from '../../e2e/src/http.ts';
import { ARTIFACTS } from '../../e2e/src/paths.ts';
import { startStack } from '../../e2e/src/stack.ts';
import { startControl } from './control.ts';
import { runSoakLoad } from './load.ts';
import { drawSoak } from './plot.ts';
import { sampleStack } from './sample.ts';
import { CONTROL_ROLE, formatValue, halves, judge, type Sample, toSeries } from './verdict.ts';

function numberArg(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} ${value}: expected a number from ${min} to ${max}`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    rate: { type: 'string', default: '300' },
    every: { type: 'string', default: '10' },
    plot: { type: 'string' },
  },
});
const minutes = numberArg('minutes', values.minutes, 0.5, 24 * 60);
const rate = numberArg('rate', values.rate, 1, 100_000);
const everyS = numberArg('every', values.every, 1, 600);
const log = (line: string) => process.stderr.write(`${line}\n`);

const stack = await startStack('soak', {
  files: ['compose.yaml', 'scripts/soak/compose.soak.yaml'],
  env: { SOAK_PROBE_MS: String(everyS * 1000) },
});
let code = 1;
// Ctrl-C or a CI timeout: the stack still goes (the finally below), then exit.
const stopping = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`soak: ${signal}, removing ${stack.project}`);
    stopping.abort();
  });
}
try {
  log(
    `soak: ${stack.project} up in ${stack.upSeconds.toFixed(1)} s; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const ca = await copyLocalCa(stack, mkdtempSync(join(tmpdir(), 'soak-ca-')));
  const page = await (await fetch(stack.url(PAGE_PATH))).text();
  const abort = new AbortController();
  const load = runSoakLoad({
    origin: stack.origin.replace('localhost', '127.0.0.1'),
    // The address, not `localhost`: Docker may publish IPv4 and IPv6 on different host ports.
    httpsOrigin: `https://127.0.0.1:${await httpsPort(stack)}`,
    servername: 'localhost',
    ca: ca.pem,
    assets: staticPaths(page),
    rate,
    signal: abort.signal,
  });
  const samples: Sample[] = [];
  const control = startControl(everyS * 1000);
  const end = Date.now() + minutes * 60_000;
  // The probes write their first reading one interval after they start.
  await sleep(everyS * 1000, undefined, { signal: stopping.signal }).catch(() => {});
  while (Date.now() < end && !stopping.signal.aborted) {
    const round = await sampleStack(stack, everyS * 1000);
    const machine = control.latest();
    samples.push(...round, ...(machine ? [machine] : []));
    log(`soak: ${Math.round((end - Date.now()) / 1000)} s left, ${round.length} readings`);
    const wait = Math.min(everyS * 1000, Math.max(0, end - Date.now()));
    await sleep(wait, undefined, { signal: stopping.signal }).catch(() => {});
  }
  abort.abort();
  control.stop();
  const counts = await load;
  code = stopping.signal.aborted ? 130 : report(samples, counts, stack.project);
} finally {
  await stack.down();
}
process.exit(code);

function report(
  samples: Sample[],
  counts: Awaited<ReturnType<typeof runSoakLoad>>,
  project: string,
): number {
  const series = toSeries(samples);
  const findings = judge(series);
  const out = join(ARTIFACTS, project);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'samples.json'), JSON.stringify(samples));
  const title = `soak: ${minutes} min at ~${rate} req/s, a reading every ${everyS} s`;
  const svg = drawSoak(series, title);
  writeFileSync(join(out, 'soak.svg'), svg);
  if (values.plot !== undefined) writeFileSync(values.plot, svg);

  const sent = Object.entries(counts.sent)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  console.log(`\nload: ${sent}`);
  const failed = Object.values(counts.failed).reduce((a, b) => a + b, 0);
  if (failed > 0)
    console.log(
      `FAILED requests: ${JSON.stringify(counts.failed)}\n  ${counts.examples.join('\n  ')}`,
    );
  const machine = series.find((s) => s.samples[0]?.role === CONTROL_ROLE);
  const machineEld = machine ? halves(machine.samples, 'eldP99Ms') : undefined;
  if (machineEld)
    console.log(
      `\nthe machine (an idle Node process on the host): event-loop delay p99 ${machineEld.early.toFixed(1)} ms early, ${machineEld.late.toFixed(1)} ms late; a process's may grow by that much more`,
    );
  console.log('\n| series | metric | early (median) | late (median) | allowed growth | verdict |');
  console.log('| --- | --- | ---: | ---: | ---: | --- |');
  for (const f of findings) {
    const v = (x: number) => formatValue(f.metric, x);
    console.log(
      `| ${f.series} | ${f.metric} | ${v(f.early)} | ${v(f.late)} | ${v(f.allowed)} | ${f.ok ? 'flat' : 'GREW'} |`,
    );
  }
  const judgedContainers = new Set(findings.map((f) => f.series.split(' ')[0]));
  const silent = ['app-1', 'edge-1'].filter((c) => !judgedContainers.has(c));
  if (silent.length > 0)
    console.log(`no readings to judge from ${silent.join(', ')} (a run too short, or no probe)`);
  console.log(`\nsamples and plot: ${out}${values.plot ? `; plot also in ${values.plot}` : ''}`);
  const grew = findings.filter((f) => !f.ok);
  return grew.length === 0 && failed === 0 && silent.length === 0 && findings.length > 0 ? 0 : 1;
}
