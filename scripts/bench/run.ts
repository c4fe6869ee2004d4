/**
 * `npm run bench`: the edge's static rows against nginx, Caddy and Node's
 * bare ceiling, on the same files (issue 5), then its proxied rows against
 * nginx, HAProxy, Caddy and the bare pass-through, for a small node:http
 * upstream and for the app's JSON endpoint (issue 6). See README.md.
 *
 *   npm run bench [-- --duration 5s --runs 2 --connections 50 --only static|proxy]
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import {
  childrenOf,
  cpuSeconds,
  freePort,
  hasCommand,
  killAllNow,
  type Memory,
  memory,
  stopAll,
  waitForPort,
} from './processes.ts';
import { type AppUpstream, startAppUpstream } from './proxy/app-upstream.ts';
import { measureProxiedRows } from './proxy/rows.ts';
import { proxiedTable } from './proxy/table.ts';
import { EDGE, EDGE_ROUTED, TARGETS, type Target } from './targets.ts';
import { type WrkResult, wrk } from './wrk.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5s' },
    runs: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
  },
});

interface Row {
  name: string;
  path: string;
  /** Per target: the request headers (the 304 row needs each server's own ETag). */
  headers(etag: string): Record<string, string>;
  expect: { status: number; encoding?: string };
}

const COMPILE_CACHE = fileURLToPath(new URL('../../docker/compile-cache.ts', import.meta.url));
const ONE = 'bench/one.0a1b2c3d.css';
const HUNDRED = 'bench/hundred.0a1b2c3e.js';
const ZIPPED = 'bench/app.0a1b2c3f.css';

const ROWS: Row[] = [
  { name: 'static 1 KiB', path: `/static/${ONE}`, headers: () => ({}), expect: { status: 200 } },
  {
    name: 'static 100 KiB',
    path: `/static/${HUNDRED}`,
    headers: () => ({}),
    expect: { status: 200 },
  },
  {
    name: '304 (If-None-Match)',
    path: `/static/${ONE}`,
    headers: (etag) => ({ 'If-None-Match': etag }),
    expect: { status: 304 },
  },
  {
    // gzip, not br: nginx-light has gzip_static but no brotli module.
    name: 'precompressed hit (.gz)',
    path: `/static/${ZIPPED}`,
    headers: () => ({ 'Accept-Encoding': 'gzip' }),
    expect: { status: 200, encoding: 'gzip' },
  },
];

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The app row's container and process, stopped on Ctrl-C too. */
let stopApp: (() => Promise<void>) | null = null;

function ensureTools(): void {
  const needed: [command: string, pkg: string][] = [
    ['wrk', 'wrk'],
    ['nginx', 'nginx-light'],
    ['caddy', 'caddy'],
    ['haproxy', 'haproxy'],
  ];
  const missing = needed.filter(([command]) => !hasCommand(command));
  if (missing.length === 0) return;
  const pkgs = missing.map(([, pkg]) => pkg);
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${pkgs.join(', ')}: sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  log(`installing ${pkgs.join(', ')} with apt-get…`);
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The files every target serves, under `base/static`, and the edge's manifest. */
function writeFiles(base: string): void {
  const files: Record<string, Buffer> = {
    [ONE]: Buffer.from(`${'.a{color:#123}\n'.repeat(68)}/*${'x'.repeat(1024 - 68 * 15 - 4)}*/`),
    [HUNDRED]: Buffer.from(
      `${'console.log("hundred kibibytes");\n'.repeat(3200)}`.slice(0, 102_400),
    ),
    [ZIPPED]: Buffer.from(`${'.card{margin:0 auto;padding:1rem;color:#333}\n'.repeat(700)}`),
  };
  for (const [rel, bytes] of Object.entries(files)) {
    const path = join(base, 'static', rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
  }
  const zipped = files[ZIPPED] as Buffer;
  writeFileSync(join(base, 'static', `${ZIPPED}.gz`), gzipSync(zipped, { level: 9 }));
  writeFileSync(
    join(base, 'static', `${ZIPPED}.br`),
    brotliCompressSync(zipped, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
  writeFileSync(
    join(base, 'static', 'manifest.json'),
    JSON.stringify({
      version: 1,
      files: { 'one.css': ONE, 'hundred.js': HUNDRED, 'app.css': ZIPPED },
    }),
  );
  // nginx's worker runs as nobody: it must be able to read the tree.
  execFileSync('chmod', ['-R', 'a+rX', base]);
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function ask(port: number, path: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) flat[name] = String(value);
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** What the edge says for each row, for the bare server to repeat from memory. */
async function recordEdgeAnswers(port: number, file: string): Promise<void> {
  const etag = (await ask(port, `/static/${ONE}`, {})).headers.etag ?? '';
  const answers = [];
  for (const row of ROWS) {
    const headers = row.headers(etag);
    const reply = await ask(port, row.path, headers);
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.headers)) {
      if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name))
        kept[name] = value;
    }
    const when = Object.keys(headers)[0]?.toLowerCase();
    answers.push({
      url: row.path,
      when,
      status: reply.status,
      headers: kept,
      body: reply.body.toString('base64'),
    });
  }
  writeFileSync(file, JSON.stringify(answers));
}

const fmtK = (n: number) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)}k` : 'n/a');
const fmtMs = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}` : 'n/a');
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? a / b : Number.NaN);
const verdict = (value: number, target: number) =>
  `${value.toFixed(2)}× (${value >= target ? 'met' : 'MISSED'}, ≥ ${target})`;

/** The sample with the highest RSS among the processes' current memory and earlier peaks. */
function peakMemory(
  pids: readonly number[],
  ...earlier: Array<Memory | undefined>
): Memory | undefined {
  const samples = [...earlier, ...pids.map((pid) => memory(pid))];
  return samples.reduce<Memory | undefined>(
    (peak, m) => (m && !(m.rssMiB <= (peak?.rssMiB ?? -1)) ? m : peak),
    undefined,
  );
}

async function main(): Promise<void> {
  ensureTools();
  const runs = Number(args.runs);
  const options = { duration: args.duration, connections: Number(args.connections) };
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

  try {
    log(
      `load average ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}; node ${process.version}`,
    );
    if (args.only !== 'proxy') await staticRows(base, dir, runs, options);
    if (args.only !== 'static') await proxyRows(dir, runs, options);
  } finally {
    await cleanup();
  }
}

async function proxyRows(
  dir: string,
  runs: number,
  options: { duration: string; connections: number },
): Promise<void> {
  const common = { ...options, runs, progress: (line: string) => log(`  ${line}`) };
  const output: string[] = [];
  const header = (title: string, path: string) => {
    output.push(
      '',
      `${title}: wrk -t1 -c${options.connections} -d${options.duration} ${path}, best of ${runs}; load average ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
      '',
    );
  };
  log('proxied rows: a small response from a node:http upstream');
  const small = await measureProxiedRows(common);
  header('proxied, small response from a node:http upstream', '/');
  output.push(...proxiedTable(small));

  log('proxied rows: the app’s JSON endpoint (PostgreSQL container, app process)');
  let app: AppUpstream | null = null;
  try {
    app = await startAppUpstream(dir);
    stopApp = app.stop;
    const rows = await measureProxiedRows({
      ...common,
      upstreamUrl: app.url,
      upstreamPid: app.pid,
      path: app.path,
    });
    header('proxied, the app’s JSON endpoint', app.path);
    output.push(...proxiedTable(rows));
  } catch (error) {
    output.push('', `the app's JSON row was not measured: ${(error as Error).message}`);
  } finally {
    await app?.stop();
    stopApp = null;
  }
  process.stdout.write(`${output.join('\n')}\n`);
}

async function staticRows(
  base: string,
  dir: string,
  runs: number,
  options: { duration: string; connections: number },
): Promise<void> {
  {
    writeFiles(base);
    const ports = new Map<Target, number>();
    const pids = new Map<Target, number>();
    for (const target of TARGETS) {
      const port = await freePort();
      if (target !== EDGE && !ports.has(EDGE)) throw new Error('the edge must start first');
      if (target.name === 'bare node:http')
        await recordEdgeAnswers(ports.get(EDGE) as number, join(dir, 'answers.json'));
      log(`starting ${target.name} on 127.0.0.1:${port}`);
      const child = target.start(base, dir, port);
      await waitForPort(port, child);
      ports.set(target, port);
      pids.set(target, child.pid as number);
    }

    // Like with like: every target must answer each row the same way.
    const etags = new Map<Target, string>();
    for (const target of TARGETS) {
      const port = ports.get(target) as number;
      etags.set(target, (await ask(port, `/static/${ONE}`, {})).headers.etag ?? '');
      for (const row of ROWS) {
        const reply = await ask(port, row.path, row.headers(etags.get(target) ?? ''));
        const encoding = reply.headers['content-encoding'];
        if (reply.status !== row.expect.status || encoding !== row.expect.encoding) {
          throw new Error(
            `${target.name} answered ${row.name} with ${reply.status} ${encoding ?? ''}`,
          );
        }
      }
    }

    // Before any load: what a worker costs at rest (modules, code, caches).
    const idle = peakMemory(childrenOf(pids.get(EDGE) as number));

    // JIT warm-up, so no target's first row pays for its compilation.
    for (const target of TARGETS) {
      log(`warming up ${target.name}`);
      for (const row of ROWS) {
        const url = `http://127.0.0.1:${ports.get(target)}${row.path}`;
        await wrk(url, {
          ...options,
          duration: '1s',
          headers: row.headers(etags.get(target) ?? ''),
        });
      }
    }

    const best = new Map<string, WrkResult>();
    const rss = new Map<string, Memory>();
    const cpu = new Map<string, number>();
    const total = ROWS.length * runs * TARGETS.length;
    let step = 0;
    for (const row of ROWS) {
      for (let run = 1; run <= runs; run++) {
        // Interleaved, so drift in the machine's load spreads over every target.
        for (const target of TARGETS) {
          step++;
          log(`[${step}/${total}] ${row.name} · ${target.name} · run ${run}/${runs}`);
          const url = `http://127.0.0.1:${ports.get(target)}${row.path}`;
          let peak: Memory | undefined;
          const sampler = target.isEdge
            ? setInterval(() => {
                peak = peakMemory(childrenOf(pids.get(target) as number), peak);
              }, 250)
            : undefined;
          const pid = pids.get(target) as number;
          const cpuBefore = cpuSeconds(pid);
          const result = await wrk(url, {
            ...options,
            headers: row.headers(etags.get(target) ?? ''),
          });
          const cpuUs = ((cpuSeconds(pid) - cpuBefore) * 1e6) / Math.max(1, result.requests);
          clearInterval(sampler);
          if (result.errors > 0) log(`  ! ${result.errors} errors`);
          log(
            `  ${fmtK(result.rps)} req/s, p50 ${fmtMs(result.p50Ms)} ms, p99 ${fmtMs(result.p99Ms)} ms, ${cpuUs.toFixed(1)} µs CPU/request`,
          );
          const key = `${row.name}|${target.name}`;
          if (!best.has(key) || (best.get(key)?.rps ?? 0) < result.rps) best.set(key, result);
          cpu.set(key, Math.min(cpu.get(key) ?? Number.POSITIVE_INFINITY, cpuUs));
          const edgePeak = peakMemory([], peak, rss.get(target.name));
          if (target.isEdge && edgePeak) rss.set(target.name, edgePeak);
        }
      }
    }

    const get = (row: Row, target: Target) => best.get(`${row.name}|${target.name}`) as WrkResult;
    const [, , bare, nginx, caddy] = TARGETS as [Target, Target, Target, Target, Target];
    const lines: string[] = [];
    lines.push(
      `wrk -t1 -c${options.connections} -d${options.duration}, best of ${runs}; req/s (p50 / p99 ms); load average at the end ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
      '',
      `| row | ${TARGETS.map((t) => t.name).join(' | ')} |`,
      `| --- |${TARGETS.map(() => ' ---: |').join('')}`,
    );
    for (const row of ROWS) {
      const cells = TARGETS.map((t) => {
        const r = get(row, t);
        return `${fmtK(r.rps)} (${fmtMs(r.p50Ms)} / ${fmtMs(r.p99Ms)})`;
      });
      lines.push(`| ${row.name} | ${cells.join(' | ')} |`);
    }
    lines.push(
      '',
      '| row | edge / bare node | edge / Caddy | edge / nginx | fast path / Fastify route |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const row of ROWS) {
      const edge = get(row, EDGE).rps;
      const nginxRatio = ratio(edge, get(row, nginx).rps);
      lines.push(
        `| ${row.name} | ${verdict(ratio(edge, get(row, bare).rps), 0.8)} | ${verdict(ratio(edge, get(row, caddy).rps), 2)} | ${row.name === 'static 100 KiB' ? verdict(nginxRatio, 1) : `${nginxRatio.toFixed(2)}×`} | ${ratio(edge, get(row, EDGE_ROUTED).rps).toFixed(2)}× |`,
      );
    }
    lines.push(
      '',
      'CPU time per request (µs, user + system, lowest of the runs; steadier than req/s under outside load):',
      '',
      `| row | ${TARGETS.map((t) => t.name).join(' | ')} |`,
      `| --- |${TARGETS.map(() => ' ---: |').join('')}`,
    );
    for (const row of ROWS) {
      const cells = TARGETS.map((t) => (cpu.get(`${row.name}|${t.name}`) ?? Number.NaN).toFixed(1));
      lines.push(`| ${row.name} | ${cells.join(' | ')} |`);
    }
    const edgeRss = rss.get(EDGE.name)?.rssMiB ?? Number.NaN;
    const mib = (m: Memory | undefined) =>
      m ? `${m.rssMiB.toFixed(1)} MiB (${m.privateMiB.toFixed(1)} MiB its own)` : 'not measured';
    lines.push(
      '',
      `edge RSS per worker under load (peak): ${mib(rss.get(EDGE.name))}: ${edgeRss <= 100 ? 'met' : 'MISSED'} (≤ 100 MiB RSS); with the Fastify route: ${mib(rss.get(EDGE_ROUTED.name))}; at rest (started, no load yet): ${mib(idle)}`,
      '"its own": private pages (heap, buffers); the rest of the RSS is mostly the node binary, mapped once for every worker.',
    );
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}

main().catch(async (error: unknown) => {
  log(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
});
