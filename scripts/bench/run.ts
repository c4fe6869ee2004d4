/**
 * `npm run bench`: the edge's static rows against nginx, Caddy and Node's
 * bare ceiling, on the same files, then its proxied rows against nginx,
 * HAProxy, Caddy and the bare pass-through, for a small node:http upstream
 * and for the app's JSON endpoint, then its h2 rows (h2load) against bare
 * Node's http2, nginx and Caddy, each row over interleaved rounds, and ends
 * with every judged target on one line. See README.md.
 *
 *   npm run bench [-- --duration 5s --runs 3 --connections 50 --only static|proxy|h2 --write <file>]
 *   npm run bench -- --quick --runs 1 …   # fewer than 3 rounds: a look, nothing judged
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureH2Rows } from './h2-rows.ts';
import { commandLine, commit, machine } from './machine.ts';
import { loadText } from './markdown.ts';
import { hasCommand, killAllNow, stopAll } from './processes.ts';
import { type AppUpstream, startAppUpstream } from './proxy/app-upstream.ts';
import { measureCacheRows } from './proxy/cache-rows.ts';
import { measureProxiedRows } from './proxy/rows.ts';
import {
  type BenchResults,
  h2Section,
  type ProxiedSection,
  proxiedSection,
  renderRun,
  replaceRegion,
  staticSection,
  summarySection,
} from './report.ts';
import { checkRuns } from './rounds.ts';
import { measureStaticRows } from './static-rows.ts';
import type { WrkSettings } from './static-table.ts';

const argv = process.argv.slice(2);
const { values: args } = parseArgs({
  args: argv,
  options: {
    duration: { type: 'string', default: '5s' },
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    write: { type: 'string' },
  },
});

const PARTS = ['static', 'proxy', 'h2'] as const;
if (args.only !== undefined && !(PARTS as readonly string[]).includes(args.only)) {
  process.stderr.write(`--only ${args.only}: expected one of ${PARTS.join(', ')}\n`);
  process.exit(2);
}
const checked = checkRuns(args.runs, args.quick);
if (checked instanceof Error) {
  process.stderr.write(`${checked.message}\n`);
  process.exit(2);
}
const runCount: number = checked;
const runs = (part: (typeof PARTS)[number]) => args.only === undefined || args.only === part;

const COMPILE_CACHE = fileURLToPath(new URL('../../docker/compile-cache.ts', import.meta.url));

const log = (line: string) => process.stderr.write(`${line}\n`);
const print = (lines: string[]) => process.stdout.write(`\n${lines.join('\n')}\n`);

/** The app row's container and process, stopped on Ctrl-C too. */
let stopApp: (() => Promise<void>) | null = null;

function ensureTools(): void {
  const needed: [command: string, pkg: string][] = [
    ['wrk', 'wrk'],
    ['nginx', 'nginx-light'],
    ['caddy', 'caddy'],
    ['haproxy', 'haproxy'],
    ['h2load', 'nghttp2-client'],
  ];
  const missing = needed.filter(([command]) => !hasCommand(command));
  if (missing.length === 0) return;
  const pkgs = missing.map(([, pkg]) => pkg);
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${pkgs.join(', ')}: sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  log(`installing ${pkgs.join(', ')} with apt-get…`);
  // Waits for another apt-get on a shared machine instead of failing at once.
  const wait = ['-o', 'DPkg::Lock::Timeout=300'];
  execFileSync('apt-get', ['install', '-y', ...wait, '--no-install-recommends', ...pkgs], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

async function main(): Promise<void> {
  ensureTools();
  // Taken before anything runs: the commit measured, and the load it ran under.
  const started = { date: new Date(), ...commit(), loadStart: loadavg() };
  const wrk: WrkSettings = {
    duration: args.duration,
    runs: runCount,
    quick: args.quick,
    connections: Number(args.connections),
  };
  const base = mkdtempSync(join(tmpdir(), 'edge-bench-'));
  chmodSync(base, 0o755);
  const dir = join(base, 'run');
  mkdirSync(dir);
  // As in the edge image (docker/compile-cache.ts): the edge's processes
  // find their stripped code cached and never load the TypeScript stripper,
  // which would add 18 MiB to every worker's RSS.
  process.env.NODE_COMPILE_CACHE = join(base, 'node-compile-cache');
  execFileSync(process.execPath, [COMPILE_CACHE, 'edge'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const cleanup = async () => {
    await stopAll();
    await stopApp?.();
    if (!process.env.BENCH_KEEP) rmSync(base, { recursive: true, force: true });
  };
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`\n${signal}: stopping everything`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  const results: BenchResults = { wrk, proxied: [] };
  try {
    log(`load average ${loadText(started.loadStart)}; node ${process.version}`);
    if (runs('static')) {
      results.static = await measureStaticRows(base, dir, { ...wrk, log });
      print(staticSection(results.static, wrk));
    }
    if (runs('proxy')) {
      results.proxied = await proxyRows(dir, wrk);
    }
    if (runs('h2')) {
      const h2Dir = join(base, 'h2');
      mkdirSync(h2Dir);
      results.h2 = await measureH2Rows(base, h2Dir, { ...wrk, log });
      print(h2Section(results.h2, wrk));
    }
  } finally {
    await cleanup();
  }
  print(summarySection(results));
  if (args.write !== undefined) {
    // npm runs scripts from the package root; the path is the caller's.
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), args.write);
    const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const info = {
      ...started,
      command: commandLine(argv),
      machine: machine(),
      loadEnd: loadavg(),
    };
    writeFileSync(file, replaceRegion(existing, renderRun(info, results)));
    log(`results written to ${file}`);
  }
}

async function proxyRows(dir: string, wrk: WrkSettings): Promise<ProxiedSection[]> {
  const common = { ...wrk, progress: (line: string) => log(`  ${line}`) };
  const sections: ProxiedSection[] = [];
  const done = (section: ProxiedSection) => {
    sections.push(section);
    print(proxiedSection(section, wrk));
  };
  log('proxied rows: a small response from a node:http upstream');
  let loadStart = loadavg();
  const small = await measureProxiedRows(common);
  done({
    title: 'small response from a node:http upstream',
    path: '/',
    rows: small,
    loadStart,
    loadEnd: loadavg(),
    judged: true,
  });

  log('proxied rows: the app’s JSON endpoint (PostgreSQL container, app process)');
  const title = 'the app’s JSON endpoint';
  const cacheTitle = 'the app’s JSON endpoint, cached (public, s-maxage=1)';
  let app: AppUpstream | null = null;
  // The section being measured, named in its "not measured" line on failure.
  let current = title;
  try {
    loadStart = loadavg();
    app = await startAppUpstream(dir);
    stopApp = app.stop;
    const upstream = { upstreamUrl: app.url, upstreamPid: app.pid, path: app.path };
    const rows = await measureProxiedRows({ ...common, ...upstream });
    done({ title, path: app.path, rows, loadStart, loadEnd: loadavg() });
    current = cacheTitle;
    log('cache rows: the app’s JSON endpoint through the edge’s cache and nginx’s proxy_cache');
    loadStart = loadavg();
    const cached = await measureCacheRows({ ...common, ...upstream });
    const path = app.path;
    done({ title: cacheTitle, path, rows: cached, loadStart, loadEnd: loadavg(), cache: true });
  } catch (error) {
    const message = (error as Error).message;
    done({
      title: current,
      path: app?.path ?? '',
      error: message,
      loadStart,
      loadEnd: loadavg(),
      cache: current === cacheTitle,
    });
  } finally {
    await app?.stop();
    stopApp = null;
  }
  return sections;
}

main().catch(async (error: unknown) => {
  log(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
});
