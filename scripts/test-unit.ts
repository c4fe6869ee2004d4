/**
 * `npm run test:unit`: every unit test file, in TEST_UNIT_SHARDS processes
 * side by side, each running its share of the files in one process
 * (`--test-isolation=none`), against one PostgreSQL for the whole run.
 *
 * Why not one process per file (node --test's default): starting Node,
 * its test runner and the same imports again for each of ~120 files was
 * most of the phase's CPU, and on a 2-core machine CPU is what bounds it
 * (docs/benchmarks.md, "The unit phase"). Why not one process for all:
 * the files then run one after the other, and many of them mostly wait
 * (timeouts, drains, health checks). Each shard's report is printed whole
 * when it ends; the exit code is the worst of them.
 *
 * The shards are balanced by each file's time in an earlier run
 * (test-unit-times.json): a few files take 10–20 s, and dealt out blindly
 * they stacked up in one shard that then ran 30 s past the others.
 *
 *   node scripts/test-unit.ts [file …]     # default: every unit test file
 *   node scripts/test-unit.ts --write-times # a full run that refreshes test-unit-times.json
 */
import { spawn } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globalSetup, globalTeardown } from '../services/app/test/helpers/global-postgres.ts';

/** The unit test files: each service's, the cross-service contracts, e2e's own helpers, the scripts'. */
export const UNIT_GLOBS = [
  'services/*/test/**/*.test.ts',
  'e2e/contracts/*.test.ts',
  'e2e/test/*.test.ts',
  'scripts/**/test/*.test.ts',
];

const root = fileURLToPath(new URL('..', import.meta.url));
const TIMES_FILE = fileURLToPath(new URL('test-unit-times.json', import.meta.url));
const REPORTER = fileURLToPath(new URL('test-unit-times.ts', import.meta.url));

/** Seconds per file from the last `--write-times` run; none (a fork that deleted it) is not an error. */
function readTimes(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(TIMES_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Setting: how many processes share the files (each runs its files one after the other). */
function shardCount(): number {
  const value = process.env.TEST_UNIT_SHARDS ?? '6';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    console.error(`TEST_UNIT_SHARDS=${value}: must be an integer 1-64`);
    process.exit(2);
  }
  return n;
}

/**
 * Longest first, each file to the shard with the least time so far (LPT).
 * A file with no recorded time (new since the last `--write-times`) counts
 * as the median one, so it neither jumps the queue nor piles up.
 */
export function shard(
  files: readonly string[],
  count: number,
  seconds: Readonly<Record<string, number>> = {},
): string[][] {
  const known = files
    .map((f) => seconds[f])
    .filter((t) => t !== undefined)
    .sort((a, b) => a - b);
  const median = known[Math.floor(known.length / 2)] ?? 1;
  const weight = (f: string) => seconds[f] ?? median;
  const sorted = [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
  const shards = Array.from({ length: count }, () => ({ files: [] as string[], total: 0 }));
  for (const file of sorted) {
    const lightest = shards.reduce((min, s) => (s.total < min.total ? s : min));
    lightest.files.push(file);
    lightest.total += weight(file);
  }
  return shards.map((s) => s.files).filter((s) => s.length > 0);
}

function run(
  files: string[],
  label: string,
  timesOut: string,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
    reporters.push(`--test-reporter=${REPORTER}`, '--test-reporter-destination=stdout');
    const child = spawn(
      process.execPath,
      ['--test', '--test-isolation=none', ...reporters, ...files],
      {
        cwd: root,
        env: { ...process.env, TEST_UNIT_TIMES_OUT: timesOut },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('close', (code, signal) => {
      const output = `\n── ${label} (${files.length} files) ──\n${Buffer.concat(chunks)}`;
      resolve({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const writeTimes = args.includes('--write-times');
  const named = args.filter((a) => a !== '--write-times');
  const files = named.length > 0 ? named : UNIT_GLOBS.flatMap((g) => globSync(g, { cwd: root }));
  const shards = shard(files, shardCount(), readTimes());
  const timesDir = mkdtempSync(join(tmpdir(), 'test-unit-times-'));
  try {
    await globalSetup();
  } catch (error) {
    // One line, not docker-modem's stack: the usual causes are no engine
    // and an unreachable registry for testcontainers' reaper image.
    console.error(
      `test:unit: cannot start PostgreSQL (${(error as Error).message.split('\n')[0]}); ` +
        'is Docker running? Where the reaper image cannot be pulled, set TESTCONTAINERS_RYUK_DISABLED=true',
    );
    return 1;
  }
  try {
    const started = performance.now();
    const results = await Promise.all(
      shards.map(async (s, i) => {
        const t0 = performance.now();
        const result = await run(s, `shard ${i + 1}/${shards.length}`, join(timesDir, `${i}.json`));
        process.stdout.write(result.output);
        return { ...result, seconds: (performance.now() - t0) / 1000 };
      }),
    );
    console.log('\nshards:');
    for (const [i, r] of results.entries()) {
      console.log(`  ${r.code === 0 ? '✓' : '✗'} shard ${i + 1}: ${r.seconds.toFixed(1)} s`);
    }
    console.log(`${files.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const measured = collectTimes(timesDir, shards.length);
    printSlowest(measured);
    const code = Math.max(...results.map((r) => r.code));
    if (writeTimes && code === 0 && named.length === 0) {
      writeFileSync(TIMES_FILE, `${JSON.stringify(sorted(measured), null, 2)}\n`);
      console.log(
        `wrote ${Object.keys(measured).length} files' times to scripts/test-unit-times.json`,
      );
    }
    return code;
  } finally {
    rmSync(timesDir, { recursive: true, force: true });
    await globalTeardown();
  }
}

function collectTimes(dir: string, count: number): Record<string, number> {
  const all: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    try {
      Object.assign(all, JSON.parse(readFileSync(join(dir, `${i}.json`), 'utf8')));
    } catch {
      // A shard that crashed before its reporter ended has no times; its output says why.
    }
  }
  return all;
}

function printSlowest(measured: Record<string, number>): void {
  const slowest = Object.entries(measured)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  console.log('slowest files:');
  for (const [file, s] of slowest) console.log(`  ${s.toFixed(1).padStart(5)} s  ${file}`);
}

/** Rounded to 0.1 s and in name order, so a refresh diffs only where times moved. */
function sorted(measured: Record<string, number>): Record<string, number> {
  const entries = Object.entries(measured).sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(entries.map(([f, s]) => [f, Math.round(s * 10) / 10]));
}

if (import.meta.main) process.exitCode = await main();
