/**
 * HTTPS test clients and certificates the suites of several packages share
 * (the edge's TLS and ACME tests, e2e's ACME suite): nothing a service
 * runs. Each request reports the status and the serial of the certificate
 * the server presented, so a test can tell which certificate a new
 * connection got.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { type ClientHttp2Session, connect } from 'node:http2';
import { type RequestOptions, request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface Answer {
  status: number;
  /** The serial number of the leaf the server presented. */
  serial: string;
}

export interface Target {
  port: number;
  /** PEM of the CA the server's chain is verified against. */
  ca: string;
  /** SNI; `localhost` by default. */
  servername?: string;
  /** `127.0.0.1` by default. */
  host?: string;
}

const serialOf = (socket: unknown) => (socket as TLSSocket).getPeerCertificate().serialNumber;

/** One HTTP/1.1 GET on a new TLS connection (a full handshake). */
export function h1Fresh(target: Target, path: string): Promise<Answer> {
  const { port, ca, servername = 'localhost', host = '127.0.0.1' } = target;
  return new Promise((resolve, reject) => {
    const options: RequestOptions = { host, port, path, ca, servername, agent: false };
    const req = request({ ...options, ALPNProtocols: ['http/1.1'] } as RequestOptions, (res) => {
      const serial = serialOf(res.socket);
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, serial }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

/** A connected h2 session; rejects with the session's error. */
export async function h2Open(target: Target): Promise<ClientHttp2Session> {
  const { port, ca, servername = 'localhost', host = '127.0.0.1' } = target;
  const session = connect(`https://${host}:${port}`, { ca, servername });
  await Promise.race([
    once(session, 'connect'),
    once(session, 'error').then(([error]) => Promise.reject(error)),
  ]);
  return session;
}

/** One GET on an open h2 session, its body read and dropped. */
export function h2Request(session: ClientHttp2Session, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    stream.resume();
    stream.on('end', () => resolve({ status, serial: serialOf(session.socket) }));
    stream.on('error', reject);
    stream.end();
  });
}

/** One h2 GET on a new session (a full handshake), the session closed after. */
export async function h2Fresh(target: Target, path: string): Promise<Answer> {
  const session = await h2Open(target);
  try {
    return await h2Request(session, path);
  } finally {
    session.close();
  }
}

/** `promise`, or a rejection "no answer" after `ms`: a request that hangs counts as failed. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer')), ms);
  });
  try {
    return await Promise.race([promise, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A self-signed ECDSA P-256 certificate and key written to `cert` and
 * `key` (PEM, openssl), valid two days: a test server's own pair (pebble's
 * API). `san` as openssl takes it, e.g. `DNS:localhost,IP:127.0.0.1`.
 */
export function selfSignedPair(cert: string, key: string, cn: string, san: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${san}`,
      '-days',
      '2',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
}
