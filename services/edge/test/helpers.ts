/**
 * Shared by the edge's tests: a temporary static root shaped like a
 * collectstatic volume, an edge listening on 127.0.0.1:0, and a raw HTTP
 * client (fetch would normalise `..` and `%2e%2e` away before sending).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { DEFAULTS } from '../src/config.ts';
import { buildEdge, type EdgeConfig, type EdgeDependencies } from '../src/edge.ts';

export const CSS_TEXT = `${'.rule { color: #123456; margin: 0 auto; }\n'.repeat(24)}/* end */\n`;
export const OLD_CSS_TEXT = `${'.old { color: red; }\n'.repeat(40)}`;
export const SECRET = 'SECRET-DO-NOT-SERVE';

/** The current set's hashed stylesheet (in the manifest, so in the table). */
export const TABLE_CSS = 'css/app.3f9a1c2b.css';
/** A previous set's stylesheet: not in the manifest, served from disk. */
export const DISK_CSS = 'css/app.0badcafe.css';

export interface StaticFixture {
  root: string;
  /** A directory beside the root, the target of the escaping symlinks. */
  outside: string;
}

/** Writes by temp dotfile + rename, as collectstatic does: never a half-written file. */
export async function write(root: string, rel: string, data: string | Buffer): Promise<void> {
  const target = join(root, rel);
  await mkdir(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${basename(target)}.tmp-${process.hrtime.bigint()}`);
  await writeFile(temp, data);
  await rename(temp, target);
}

/** Writes `rel` with its .br and .gz siblings, as collectstatic does. */
export async function writeCompressed(root: string, rel: string, text: string): Promise<void> {
  await write(root, rel, text);
  await write(root, `${rel}.br`, brotliCompressSync(text));
  await write(root, `${rel}.gz`, gzipSync(text));
}

export async function writeManifest(root: string, files: Record<string, string>): Promise<void> {
  await write(root, 'manifest.json', JSON.stringify({ version: 1, files }));
}

export async function makeStaticRoot(t: TestContext): Promise<StaticFixture> {
  const base = await mkdtemp(join(tmpdir(), 'edge-test-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const root = join(base, 'static');
  const outside = join(base, 'outside');
  await mkdir(root);
  await write(outside, 'secret.txt', SECRET);
  await writeCompressed(root, TABLE_CSS, CSS_TEXT);
  await writeCompressed(root, DISK_CSS, OLD_CSS_TEXT);
  await write(root, 'js/app.1234abcd.js', 'console.log("app");\n');
  await write(root, 'robots.txt', 'User-agent: *\n');
  await write(root, 'img/logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await write(root, 'data.unknownext', 'opaque');
  await write(root, '.env', SECRET);
  await write(root, '.git/config', SECRET);
  await write(root, '%2e%2e/double.txt', 'a directory literally named %2e%2e');
  await symlink('/etc/passwd', join(root, 'passwd.css'));
  await symlink(join(outside, 'secret.txt'), join(root, 'secret.css'));
  await symlink(outside, join(root, 'linked-dir'));
  await symlink(join(root, 'robots.txt'), join(root, 'inside-link.txt'));
  await writeManifest(root, { 'css/app.css': TABLE_CSS, 'js/app.js': 'js/app.1234abcd.js' });
  return { root, outside };
}

export function testConfig(root: string, overrides: Partial<EdgeConfig> = {}): EdgeConfig {
  return {
    ...DEFAULTS,
    staticRoot: root,
    // Nothing listens on port 1: proxied requests get the edge's 502/503.
    upstream: new URL('http://127.0.0.1:1'),
    ...overrides,
  };
}

export interface RunningEdge {
  edge: FastifyInstance;
  port: number;
  /** Every JSON line the edge logged. */
  lines: Record<string, unknown>[];
}

export async function startEdge(
  t: TestContext,
  config: EdgeConfig,
  deps: Omit<EdgeDependencies, 'logger'> = {},
): Promise<RunningEdge> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const edge = buildEdge(config, { ...deps, logger: pino({ level: config.logLevel }, sink) });
  t.after(() => edge.close());
  await edge.listen({ host: '127.0.0.1', port: 0 });
  return { edge, port: (edge.server.address() as AddressInfo).port, lines };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request on a fresh connection, the path sent exactly as given. */
export function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * The three ways a static file can be answered; semantics tests run against
 * each, so the fast path, the routed table and the disk cannot drift apart.
 */
export const PATHS = [
  { name: 'table via the fast path', rel: TABLE_CSS, text: CSS_TEXT, fastPath: true },
  { name: 'table via the Fastify route', rel: TABLE_CSS, text: CSS_TEXT, fastPath: false },
  { name: 'file system', rel: DISK_CSS, text: OLD_CSS_TEXT, fastPath: true },
] as const;

export async function startForPath(
  t: TestContext,
  path: (typeof PATHS)[number],
): Promise<RunningEdge & { url: string; text: string }> {
  const { root } = await makeStaticRoot(t);
  const running = await startEdge(t, testConfig(root, { staticFastPath: path.fastPath }));
  return { ...running, url: `/static/${path.rel}`, text: path.text };
}

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface RunningMain {
  child: ChildProcess;
  port: number;
  /** Resolves with the next "edge listening" line's pid (a worker starting). */
  nextListening: () => Promise<number>;
  /** Every JSON line on stdout so far (access-log lines, with their worker's pid). */
  lines: Record<string, unknown>[];
}

/** Starts main.ts as a real cluster (primary + EDGE_WORKERS=1 unless `env` says otherwise); resolves once a worker listens. */
export async function startMain(t: TestContext, env: Record<string, string>): Promise<RunningMain> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, EDGE_PORT: '0', EDGE_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const waiting: ((line: { pid: number; port: number }) => void)[] = [];
  const seen: { pid: number; port: number }[] = [];
  const all: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{')) all.push(JSON.parse(line));
      if (!line.includes('"msg":"edge listening"')) continue;
      const parsed = JSON.parse(line) as { pid: number; port: number };
      const waiter = waiting.shift();
      if (waiter) waiter(parsed);
      else seen.push(parsed);
    }
  });
  const next = () =>
    new Promise<{ pid: number; port: number }>((resolve, reject) => {
      const ready = seen.shift();
      if (ready) return resolve(ready);
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`main exited with ${code}`)));
    });
  const first = await next();
  return { child, port: first.port, nextListening: async () => (await next()).pid, lines: all };
}
