/**
 * Fills Node's compile cache (NODE_COMPILE_CACHE) while an image is built, so
 * no process of the image strips types at run time. Node loads its
 * TypeScript stripper (a WebAssembly build of swc) the first time it meets a
 * `.ts` file it has no cached output for, and keeps it: 18 MiB of RSS in
 * every process (edge workers, the app, each healthcheck run), measured with
 * `node -e` on Node 24.21. With the stripped output and V8's code cache in the
 * image, the stripper is never loaded.
 *
 *   node docker/compile-cache.ts app|edge
 *
 * Run as the image's runtime user: the cache directory's name includes the
 * uid (`v24.21.0-x64-<hash>-1000`). Every entry point the image runs is run
 * once in a way that loads all its modules and exits (a refused setting,
 * `--help`, a healthcheck of a closed port); modules loaded later by
 * `import()` are imported here. Then each run is repeated with Node's cache
 * debug output, and any module still stripped fails the build.
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';

/** Where the image's (or a checkout's) services/ and docker/ are. */
const ROOT = dirname(import.meta.dirname);

interface Run {
  args: string[];
  /** Added to the environment: a refused setting stops an entry after its imports. */
  env?: Record<string, string>;
  exit: number;
}

const RUNS: Record<string, Run[]> = {
  app: [
    { args: ['services/app/src/main.ts'], env: { APP_PORT: '0' }, exit: 1 },
    { args: ['services/app/src/migrate.ts'], env: { APP_PORT: '0' }, exit: 1 },
    { args: ['services/app/src/collectstatic/cli.ts', '--help'], exit: 0 },
  ],
  edge: [
    { args: ['services/edge/src/main.ts'], env: { EDGE_WORKERS: '0' }, exit: 1 },
    // main.ts imports its role with import(): the primary's and the workers'.
    {
      args: [
        '--input-type=module',
        '-e',
        "await import('./services/edge/src/primary.ts'); await import('./services/edge/src/worker.ts');" +
          " await import('./services/edge/src/tls/primary.ts'); await import('./services/edge/src/tls/internal-ca.ts');" +
          " await import('./services/edge/src/tls/files.ts');",
      ],
      exit: 0,
    },
  ],
};

function run({ args, env }: Run, debug: boolean) {
  return spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, ...(debug ? { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } : {}) },
    encoding: 'utf8',
  });
}

const image = process.argv[2] ?? '';
const runs = RUNS[image];
if (!runs || !process.env.NODE_COMPILE_CACHE) {
  console.error(
    `usage: NODE_COMPILE_CACHE=DIR node docker/compile-cache.ts ${Object.keys(RUNS).join('|')}`,
  );
  process.exit(2);
}
for (const step of runs) {
  const first = run(step, false);
  if (first.status !== step.exit) {
    console.error(
      `compile-cache: ${step.args.join(' ')} exited ${first.status}, expected ${step.exit}`,
    );
    console.error(first.stderr);
    process.exit(1);
  }
}
// Node logs "no transpile cache for StrippedTypeScript <file>" when it has to
// strip one, and "retrieving transpile cache ... success" when it need not:
// a miss fails the build, and so does no hit at all (a Node that words its
// debug output differently must not make this check pass by saying nothing).
const debug = runs.flatMap((step) => run(step, true).stderr.split('\n'));
const missed = debug.filter((line) => line.includes('no transpile cache'));
const hits = debug.filter((line) => /retrieving transpile cache .*success/.test(line));
if (missed.length > 0 || hits.length === 0) {
  console.error(
    `compile-cache: ${hits.length} cached, still stripped at run time:\n${missed.join('\n')}`,
  );
  process.exit(1);
}
console.log(
  `compile-cache: ${image}: ${runs.length} entry points, ${hits.length} modules from the cache`,
);
