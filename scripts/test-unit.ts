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
 *   node scripts/test-unit.ts [file …]     # default: every unit test file
 */
import { spawn } from 'node:child_process';
import { globSync } from 'node:fs';
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

/** Round-robin over the sorted list, so one folder's slow files (TLS, workers) land in different shards. */
export function shard(files: readonly string[], count: number): string[][] {
  const shards: string[][] = Array.from({ length: count }, () => []);
  for (const [i, file] of [...files].sort().entries()) shards[i % count]?.push(file);
  return shards.filter((s) => s.length > 0);
}

function run(files: string[], label: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--test', '--test-isolation=none', '--test-reporter=spec', ...files],
      { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
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
  const named = process.argv.slice(2);
  const files = named.length > 0 ? named : UNIT_GLOBS.flatMap((g) => globSync(g, { cwd: root }));
  const shards = shard(files, shardCount());
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
        const result = await run(s, `shard ${i + 1}/${shards.length}`);
        process.stdout.write(result.output);
        return { ...result, seconds: (performance.now() - t0) / 1000 };
      }),
    );
    console.log('\nshards:');
    for (const [i, r] of results.entries()) {
      console.log(`  ${r.code === 0 ? '✓' : '✗'} shard ${i + 1}: ${r.seconds.toFixed(1)} s`);
    }
    console.log(`${files.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return Math.max(...results.map((r) => r.code));
  } finally {
    await globalTeardown();
  }
}

if (import.meta.main) process.exitCode = await main();
