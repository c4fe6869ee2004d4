/**
 * HTTPS load across a certificate change: clients that open a new TLS
 * connection per request (HTTP/1.1 and h2, so every request is a
 * handshake that sees the current certificate) and h2 sessions kept open,
 * each verified against the CA given, until `done()` says so (or a time
 * cap). No retries: every failure counts.
 */
import { h1Fresh, h2Fresh, h2Open, h2Request, withTimeout } from '@stack/shared/testing-tls';

const REQUEST_TIMEOUT_MS = 5000;

export interface TlsOutcome {
  kind: 'h2 session' | 'h2 new' | 'h1 new';
  status: number;
  serial: string;
  error?: string;
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
  const sessions = await Promise.all(names.map((name) => h2Open({ port, ca, servername: name })));
  const outcomes: TlsOutcome[] = [];
  const started = performance.now();
  const going = () => performance.now() - started < options.limitMs && !options.done(outcomes);
  const client = async (
    kind: TlsOutcome['kind'],
    send: () => Promise<{ status: number; serial: string }>,
  ) => {
    while (going()) {
      try {
        outcomes.push({ kind, ...(await withTimeout(send(), REQUEST_TIMEOUT_MS)) });
      } catch (error) {
        outcomes.push({ kind, status: 0, serial: '', error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  try {
    await Promise.all([
      ...sessions.map((session) => client('h2 session', () => h2Request(session, path))),
      ...names.map((name) => client('h1 new', () => h1Fresh({ port, ca, servername: name }, path))),
      client('h2 new', () => h2Fresh({ port, ca, servername: names[0] as string }, path)),
    ]);
  } finally {
    for (const session of sessions) session.destroy();
  }
  return outcomes;
}
