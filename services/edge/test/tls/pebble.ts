/**
 * Let's Encrypt's test ACME server, run from Debian's `pebble` package
 * (`/usr/bin/pebble`, `/usr/bin/pebble-challtestsrv`; `.ci/run` installs
 * it) on loopback for the ACME tests: pebble validates HTTP-01 on the
 * edge's plain port (`httpPort`) and looks names up in challtestsrv's mock
 * DNS, where only the names a test adds resolve (to 127.0.0.1). Its own
 * HTTPS uses a self-signed certificate made here (`caFile`, the edge's
 * EDGE_ACME_CA_FILE); the root it issues under is `root()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from '@stack/shared/testing';
import { selfSignedPair } from '@stack/shared/testing-tls';

export const PEBBLE = process.env.PEBBLE_PATH ?? '/usr/bin/pebble';
export const CHALLTESTSRV = process.env.PEBBLE_CHALLTESTSRV_PATH ?? '/usr/bin/pebble-challtestsrv';

export interface Pebble {
  directoryUrl: string;
  caFile: string;
  /** Every line pebble printed so far. */
  lines: string[];
  /** Certificates pebble issued so far (its `Issued certificate` lines). */
  issued(): number;
  /** The root pebble signs under (it makes a new one each launch). */
  root(): Promise<string>;
  /** Makes `host` resolve to 127.0.0.1 in the mock DNS. */
  addName(host: string): Promise<void>;
  stop(): Promise<void>;
  /** A new pebble process on the same ports (new roots, no accounts). */
  restart(): Promise<void>;
}

function get(url: string, ca: string, method = 'GET', body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitFor(check: () => Promise<unknown>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Starts challtestsrv and pebble; pebble validates HTTP-01 on `httpPort`, TLS-ALPN-01 on `tlsPort`. Stopped when the test ends. */
export async function startPebble(
  t: TestContext,
  {
    httpPort,
    tlsPort: alpnPort,
    validitySeconds = 3600,
  }: { httpPort: number; tlsPort?: number; validitySeconds?: number },
): Promise<Pebble> {
  for (const binary of [PEBBLE, CHALLTESTSRV]) {
    if (!existsSync(binary))
      throw new Error(`${binary} is missing: apt-get install pebble (Debian)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'edge-pebble-'));
  const caFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  selfSignedPair(caFile, keyFile, 'pebble', 'DNS:localhost,IP:127.0.0.1');
  const ca = await readFile(caFile, 'utf8');
  const [api, management, dns, dnsManagement, tlsPort] = (await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  )) as [number, number, number, number, number];
  const config = join(dir, 'pebble.json');
  await writeFile(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${api}`,
        managementListenAddress: `127.0.0.1:${management}`,
        certificate: caFile,
        privateKey: keyFile,
        httpPort,
        tlsPort: alpnPort ?? tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        certificateValidityPeriod: validitySeconds,
      },
    }),
  );
  const dnsServer = spawn(
    CHALLTESTSRV,
    [
      '-defaultIPv4',
      '',
      '-defaultIPv6',
      '',
      '-dns01',
      `127.0.0.1:${dns}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-management',
      `127.0.0.1:${dnsManagement}`,
    ],
    { stdio: 'ignore' },
  );
  const lines: string[] = [];
  let pebble: ChildProcess | undefined;
  const launch = async () => {
    const child = spawn(PEBBLE, ['-config', config, '-dnsserver', `127.0.0.1:${dns}`], {
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) =>
        lines.push(...chunk.toString().split('\n').filter(Boolean)),
      );
    }
    pebble = child;
    await waitFor(() => get(`https://127.0.0.1:${api}/dir`, ca), 10_000);
  };
  const stop = async () => {
    const child = pebble;
    pebble = undefined;
    if (child === undefined || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  t.after(async () => {
    await stop();
    dnsServer.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  await launch();
  await waitFor(() => plainGet(dnsManagement), 5000);
  return {
    directoryUrl: `https://127.0.0.1:${api}/dir`,
    caFile,
    lines,
    issued: () => lines.filter((line) => line.includes('Issued certificate serial')).length,
    root: () => get(`https://127.0.0.1:${management}/roots/0`, ca),
    addName: async (host) => {
      await plainPost(
        dnsManagement,
        '/add-a',
        JSON.stringify({ host: `${host}.`, addresses: ['127.0.0.1'] }),
      );
    },
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

async function plainGet(port: number): Promise<void> {
  await fetch(`http://127.0.0.1:${port}/`);
}

async function plainPost(port: number, path: string, body: string): Promise<void> {
  const answer = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body });
  if (!answer.ok) throw new Error(`challtestsrv ${path}: ${answer.status}`);
}
