/**
 * HTTPS load across a certificate change: clients that open a new TLS
 * connection per request (HTTP/1.1 and h2, so every request is a
 * handshake that sees the current certificate) and h2 sessions kept open,
 * each verified against the CA given, until `done()` says so (or a time
 * cap). No retries: every failure counts.
 */
import { once } from 'node:events';
import { type ClientHttp2Session, connect } from 'node:http2';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';

const REQUEST_TIMEOUT_MS = 5000;

export interface TlsOutcome {
  kind: 'h2 session' | 'h2 new' | 'h1 new';
  status: number;
  serial: string;
  error?: string;
}

function h1Fresh(port: number, servername: string, ca: string, path: string) {
  return new Promise<{ status: number; serial: string }>((resolve, reject) => {
    const options = {
      host: '127.0.0.1',
      servername,
      port,
      path,
      ca,
      agent: false,
      ALPNProtocols: ['http/1.1'],
    } as import('node:https').RequestOptions;
    const req = request(options, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, serial }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

export async function h2Open(
  port: number,
  servername: string,
  ca: string,
): Promise<ClientHttp2Session> {
  const session = connect(`https://127.0.0.1:${port}`, { ca, servername });
  await Promise.race([
    once(session, 'connect'),
    once(session, 'error').then(([error]) => Promise.reject(error)),
  ]);
  return session;
}

function h2Request(session: ClientHttp2Session, path: string) {
  return new Promise<{ status: number; serial: string }>((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    stream.resume();
    stream.on('end', () =>
      resolve({ status, serial: (session.socket as TLSSocket).getPeerCertificate().serialNumber }),
    );
    stream.on('error', reject);
    stream.end();
  });
}

/** Runs the clients until `done()` or `limitMs`; every request's outcome. */
export async function tlsLoad(options: {
  port: number;
  names: readonly string[];
  ca: string;
  path: string;
  done: (outcomes: readonly TlsOutcome[]) => boolean;
  limitMs: number;
}): Promise<TlsOutcome[]> {
  const { port, names, ca, path } = options;
  const sessions = await Promise.all(names.map((name) => h2Open(port, name, ca)));
  const outcomes: TlsOutcome[] = [];
  const started = performance.now();
  const going = () => performance.now() - started < options.limitMs && !options.done(outcomes);
  const client = async (
    kind: TlsOutcome['kind'],
    send: () => Promise<{ status: number; serial: string }>,
  ) => {
    while (going()) {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), REQUEST_TIMEOUT_MS);
      });
      try {
        outcomes.push({ kind, ...(await Promise.race([send(), gaveUp])) });
      } catch (error) {
        outcomes.push({ kind, status: 0, serial: '', error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        clearTimeout(timer);
      }
    }
  };
  try {
    await Promise.all([
      ...sessions.map((session) => client('h2 session', () => h2Request(session, path))),
      ...names.map((name) => client('h1 new', () => h1Fresh(port, name, ca, path))),
      client('h2 new', async () => {
        const session = await h2Open(port, names[0] as string, ca);
        try {
          return await h2Request(session, path);
        } finally {
          session.close();
        }
      }),
    ]);
  } finally {
    for (const session of sessions) session.destroy();
  }
  return outcomes;
}
