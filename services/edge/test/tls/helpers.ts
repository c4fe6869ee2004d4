/**
 * The TLS suites' helpers: the real edge (main.ts: primary and one worker)
 * with its HTTPS listener on a free port, and h2 and HTTP/1.1 clients that
 * trust the CA they are given, as a person's browser would once they
 * imported it (never `rejectUnauthorized: false`).
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { type ClientHttp2Session, connect, type IncomingHttpHeaders } from 'node:http2';
import { request as httpsRequest } from 'node:https';

import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from '@stack/shared/testing';
import { makeStaticRoot, type RunningMain, startMain } from '../helpers.ts';

export { makeStaticRoot } from '../helpers.ts';
export { freePort };

export interface TlsEdge extends RunningMain {
  tlsPort: number;
}

/** main.ts with EDGE_TLS_PORT set; `env` adds or overrides (EDGE_TLS_DIR, EDGE_UPSTREAM…). */
export async function startTlsEdge(
  t: TestContext,
  env: Record<string, string>,
  root?: string,
): Promise<TlsEdge> {
  const staticRoot = root ?? (await makeStaticRoot(t)).root;
  const tlsPort = await freePort();
  const running = await startMain(t, {
    EDGE_STATIC_ROOT: staticRoot,
    EDGE_UPSTREAM: 'http://127.0.0.1:1',
    EDGE_HEALTH_INTERVAL_MS: '0',
    EDGE_TLS_PORT: String(tlsPort),
    ...env,
  });
  return { ...running, tlsPort };
}

export async function stop(edge: RunningMain): Promise<number | null> {
  if (edge.child.exitCode !== null) return edge.child.exitCode;
  edge.child.kill('SIGTERM');
  const [code] = (await once(edge.child, 'exit')) as [number | null];
  return code;
}

export function readRoot(dir: string): Promise<string> {
  return readFile(join(dir, 'root.crt'), 'utf8');
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An h2 session to the TLS port, trusting `ca`, closed when the test ends. */
export async function h2Session(
  t: TestContext,
  port: number,
  ca: string,
  host = 'localhost',
): Promise<ClientHttp2Session> {
  const session = connect(`https://${host}:${port}`, { ca });
  t.after(() => session.destroy());
  await once(session, 'connect');
  return session;
}

export function h2Get(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':path': path,
      ':method': body === undefined ? 'GET' : 'POST',
      ...headers,
    });
    const chunks: Buffer[] = [];
    let head: IncomingHttpHeaders = {};
    stream.on('response', (h) => {
      head = h;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () =>
      resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks) }),
    );
    stream.on('error', reject);
    stream.end(body);
  });
}

/** One HTTP/1.1 request over TLS (ALPN `http/1.1`) on a fresh connection. */
export function h1Get(
  port: number,
  path: string,
  ca: string,
  options: {
    host?: string;
    headers?: Record<string, string>;
    servername?: string;
    method?: string;
  } = {},
): Promise<Answer & { alpn: string | false; tlsVersion: string | null }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      // ALPNProtocols goes through to tls.connect; RequestOptions does not list it.
      {
        host: options.host ?? 'localhost',
        port,
        path,
        ca,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        ALPNProtocols: ['http/1.1'],
        ...(options.servername !== undefined && { servername: options.servername }),
      } as import('node:https').RequestOptions,
      (res) => {
        const socket = res.socket as import('node:tls').TLSSocket;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers as IncomingHttpHeaders,
            body: Buffer.concat(chunks),
            alpn: socket.alpnProtocol ?? false,
            tlsVersion: socket.getProtocol(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}
