/**
 * The h2 rows: static 1 KiB and 100 KiB, a small response proxied to an
 * HTTP/1.1 upstream, and new TLS connections per second, each against the
 * targets of h2-targets.ts with h2load, interleaved, with the CPU each
 * target spent per request. Every target is checked to answer each of its
 * rows alike, over h2, before anything is measured.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCert } from './h2-cert.ts';
import type { H2Results } from './h2-table.ts';
import { H2_BARE, H2_EDGE, H2_TARGETS, type H2Kind, type H2Target } from './h2-targets.ts';
import { connectionRate, h2load, seconds } from './h2load.ts';
import { addPeak, memoryOf, samplePeak, type WorkerMemory } from './memory.ts';
import { childrenOf, cpuSeconds, freePort, start, stop, waitForPort } from './processes.ts';
import { SMALL_BODY } from './proxy/upstream.ts';
import { type Sample, summarize } from './rounds.ts';
import { HUNDRED, ONE, writeFiles } from './static-files.ts';

const SERVE = fileURLToPath(new URL('./proxy/serve.ts', import.meta.url));

interface H2Row {
  name: string;
  path: string;
  kind: H2Kind;
  /** Measured as new connections per second (one request each) rather than streams on open ones. */
  handshakes?: boolean;
}

export const H2_ROWS: readonly H2Row[] = [
  { name: 'static 1 KiB', path: `/static/${ONE}`, kind: 'static' },
  { name: 'static 100 KiB', path: `/static/${HUNDRED}`, kind: 'static' },
  { name: 'proxied small response', path: '/', kind: 'proxy' },
  { name: 'new TLS connections', path: `/static/${ONE}`, kind: 'static', handshakes: true },
];

/** h2load's load on open connections: 10 connections of 10 streams each, 100 requests in flight. */
export const H2_CLIENTS = 10;
export const H2_STREAMS = 10;
/** Clients per burst of new connections (h2load.ts, `connectionRate`). */
export const HANDSHAKE_BURST = 200;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One GET over h2 that trusts only the run's certificate (ALPN offers h2 alone). */
function ask(port: number, path: string, ca: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const session = connect(`https://127.0.0.1:${port}`, { ca });
    session.once('error', reject);
    const stream = session.request({ ':path': path });
    const chunks: Buffer[] = [];
    let head: Record<string, string> = {};
    stream.on('response', (headers) => {
      head = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', reject);
    stream.once('end', () => {
      session.close();
      resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks) });
    });
    stream.end();
  });
}

/** What the edge answers each static path over h2, for the bare server to repeat from memory. */
async function recordEdgeAnswers(port: number, ca: string, file: string): Promise<void> {
  const answers = [];
  for (const path of new Set(H2_ROWS.filter((r) => r.kind === 'static').map((r) => r.path))) {
    const reply = await ask(port, path, ca);
    const headers = Object.fromEntries(
      Object.entries(reply.headers).filter(([name]) => name[0] !== ':' && name !== 'date'),
    );
    answers.push({ url: path, status: reply.status, headers, body: reply.body.toString('base64') });
  }
  writeFileSync(file, JSON.stringify(answers));
}

export interface H2Options {
  duration: string;
  runs: number;
  log: (line: string) => void;
}

/** Starts every target (configs and logs in `dir`, files under `base/static`) and measures each row. */
export async function measureH2Rows(
  base: string,
  dir: string,
  options: H2Options,
): Promise<H2Results> {
  const { runs, log } = options;
  const loadStart = loadavg();
  writeFiles(base);
  const tls = await writeCert(dir);
  const ca = readFileSync(tls.ca, 'utf8');
  const upstreamPort = await freePort();
  const upstream = start(process.execPath, [SERVE, 'upstream', String(upstreamPort)], {
    log: join(dir, 'upstream.log'),
  });
  const children = [upstream];
  try {
    await waitForPort(upstreamPort, upstream);
    const ctx = { base, dir, tls, upstreamPort, answers: join(dir, 'answers-h2.json') };
    const ports = new Map<H2Target, number>();
    const pids = new Map<H2Target, number>();
    for (const target of H2_TARGETS) {
      if (target === H2_BARE)
        await recordEdgeAnswers(ports.get(H2_EDGE) as number, ca, ctx.answers);
      const port = await freePort();
      log(`starting ${target.name} (h2) on 127.0.0.1:${port}`);
      const child = target.start(ctx, port, await freePort());
      children.push(child);
      await waitForPort(port, child);
      ports.set(target, port);
      pids.set(target, child.pid as number);
    }
    const targetsOf = (row: H2Row) => H2_TARGETS.filter((t) => t.serves.includes(row.kind));
    const url = (target: H2Target, row: H2Row) =>
      `https://127.0.0.1:${ports.get(target)}${row.path}`;

    // Like with like: each target answers each of its rows 200 with the same body, over h2.
    const bodies: Record<string, number> = {
      [`/static/${ONE}`]: readFileSync(join(base, 'static', ONE)).length,
      [`/static/${HUNDRED}`]: readFileSync(join(base, 'static', HUNDRED)).length,
      '/': SMALL_BODY.length,
    };
    for (const row of H2_ROWS) {
      for (const target of targetsOf(row)) {
        const reply = await ask(ports.get(target) as number, row.path, ca);
        if (reply.status !== 200 || reply.body.length !== bodies[row.path]) {
          throw new Error(
            `${target.name} answered ${row.name} over h2 with ${reply.status}, ${reply.body.length} bytes`,
          );
        }
      }
    }

    const measure = (target: H2Target, row: H2Row, duration: string) =>
      row.handshakes
        ? connectionRate(url(target, row), seconds(duration), HANDSHAKE_BURST)
        : h2load(url(target, row), { clients: H2_CLIENTS, streams: H2_STREAMS, duration });

    // Before any load: what the edge's worker costs at rest.
    const edgeWorkers = () => childrenOf(pids.get(H2_EDGE) as number);
    const edgeMemory: WorkerMemory = { rest: memoryOf(edgeWorkers()) };

    // JIT warm-up, so no target's first row pays for its compilation.
    for (const target of H2_TARGETS) {
      log(`warming up ${target.name} (h2)`);
      for (const row of H2_ROWS.filter((r) => targetsOf(r).includes(target))) {
        await measure(target, row, '1s');
      }
    }

    const samples = new Map<string, Sample[]>();
    const tlsOf: Record<string, string> = {};
    const total = H2_ROWS.reduce((n, row) => n + targetsOf(row).length * runs, 0);
    let step = 0;
    for (const row of H2_ROWS) {
      for (let run = 1; run <= runs; run++) {
        // Interleaved, so drift in the machine's load spreads over every target.
        for (const target of targetsOf(row)) {
          step++;
          log(`[${step}/${total}] h2 ${row.name} · ${target.name} · run ${run}/${runs}`);
          const pid = pids.get(target) as number;
          const stopSampling = target === H2_EDGE ? samplePeak(edgeWorkers) : undefined;
          const cpuBefore = cpuSeconds(pid);
          const result = await measure(target, row, options.duration);
          const cpuUs = ((cpuSeconds(pid) - cpuBefore) * 1e6) / Math.max(1, result.requests);
          addPeak(edgeMemory, stopSampling?.(), row.name);
          if (result.protocol !== 'h2') {
            throw new Error(`${target.name} spoke ${result.protocol} to h2load, not h2`);
          }
          if (result.errors > 0) log(`  ! ${result.errors} failed requests`);
          log(
            `  ${Math.round(result.rps)} req/s, mean ${result.meanMs.toFixed(2)} ms, ${cpuUs.toFixed(1)} µs CPU/request, ${result.tls}`,
          );
          tlsOf[target.name] = result.tls;
          const key = `${row.name}|${target.name}`;
          // h2load has no percentiles: its mean stands in, as meanMs.
          const sample: Sample = { ...result, p50Ms: Number.NaN, p99Ms: Number.NaN, cpuUs };
          samples.set(key, [...(samples.get(key) ?? []), sample]);
        }
      }
    }

    return {
      rows: H2_ROWS.map((row) => ({
        name: row.name,
        handshakes: row.handshakes === true,
        cells: Object.fromEntries(
          targetsOf(row).map((t) => [
            t.name,
            summarize(samples.get(`${row.name}|${t.name}`) ?? []),
          ]),
        ),
      })),
      tls: tlsOf,
      memory: edgeMemory,
      loadStart,
      loadEnd: loadavg(),
      load: { clients: H2_CLIENTS, streams: H2_STREAMS, burst: HANDSHAKE_BURST },
    };
  } finally {
    await Promise.all(children.map((child) => stop(child)));
  }
}
