/**
 * The ACME suites' helpers: the real edge (primary and worker) with
 * EDGE_TLS_CERTS=acme against a local pebble (pebble.ts), the leaf it
 * presents by SNI (verified against pebble's root, never unchecked), its
 * health and metrics on the plain port, and waits on its log lines.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connect } from 'node:tls';
import { freePort, h1Get, startTlsEdge, type TlsEdge } from './helpers.ts';
import type { Pebble } from './pebble.ts';

export const NAMES = ['a.edge.test', 'b.edge.test'];

export async function tlsDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-acme-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function startAcmeEdge(
  t: TestContext,
  pebble: Pebble,
  httpPort: number,
  env: Record<string, string>,
): Promise<TlsEdge> {
  return startTlsEdge(t, {
    EDGE_PORT: String(httpPort),
    EDGE_HOST: '127.0.0.1',
    EDGE_TLS_CERTS: 'acme',
    EDGE_TLS_NAMES: NAMES.join(','),
    EDGE_ACME_DIRECTORY_URL: pebble.directoryUrl,
    EDGE_ACME_CA_FILE: pebble.caFile,
    EDGE_ACME_EMAIL: 'ops@edge.test',
    EDGE_HTTP_REDIRECT: 'true',
    // A failed order (a busy machine) is retried in half a second, not a minute.
    EDGE_ACME_RETRY_MS: '500',
    ...env,
  });
}

export { freePort };

export interface Leaf {
  serial: string;
  names: string;
  validTo: string;
}

/** The certificate the edge presents for `servername`, verified against `ca` (rejects otherwise). */
export function leafFor(port: number, servername: string, ca: string): Promise<Leaf> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      if (!socket.authorized) return reject(socket.authorizationError);
      resolve({
        serial: peer.serialNumber,
        names: peer.subjectaltname ?? '',
        validTo: peer.valid_to,
      });
    });
    socket.once('error', reject);
  });
}

export async function health(port: number): Promise<{ status: string; tls?: string }> {
  const answer = await fetch(`http://127.0.0.1:${port}/_edge/healthz`);
  return (await answer.json()) as { status: string; tls?: string };
}

/** `/_edge/metrics` over HTTPS (EDGE_HTTP_REDIRECT sends the plain port's to it), trusting `ca`. */
export async function metrics(tlsPort: number, ca: string): Promise<string> {
  const answer = await h1Get(tlsPort, '/_edge/metrics', ca, {
    host: '127.0.0.1',
    servername: NAMES[0],
  });
  return answer.body.toString();
}

export function metric(text: string, line: RegExp): number | undefined {
  for (const row of text.split('\n')) {
    const match = line.exec(row);
    if (match) return Number(row.slice(row.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** Polls `check` every 50 ms until it returns a value other than undefined/false, or `ms` pass. */
export async function until<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined | false> | T | undefined | false,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    let result: T | undefined | false;
    try {
      result = await check();
    } catch {}
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The log lines whose `msg` is `message`. */
export function logged(edge: TlsEdge, message: string): Record<string, unknown>[] {
  return edge.lines.filter((line) => line.msg === message);
}

/** Waits for `tls: ok` on the edge's plain port; on timeout, the error carries the edge's ACME lines. */
export async function certified(edge: TlsEdge, httpPort: number, ms = 30_000): Promise<void> {
  try {
    await until('the certificate', ms, async () => (await health(httpPort)).tls === 'ok');
  } catch (error) {
    const acme = edge.lines.filter((line) => /ACME/.test(String(line.msg)));
    throw new Error(`${(error as Error).message}; the edge logged ${JSON.stringify(acme)}`);
  }
}
