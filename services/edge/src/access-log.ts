/**
 * The logger and the one JSON access-log line per request (method, path,
 * status, bytes, duration, request id), written by the fast path, the
 * Fastify hooks and the proxy dispatch (which adds the upstream's address,
 * status and time) so every request logs the same shape.
 *
 * The destination is asynchronous and buffered, as nginx's `access_log …
 * buffer=… flush=1s` (log-destination.ts): under load one write(2) carries
 * a few hundred lines. Lines still queued when the process exits are
 * flushed by `flushLogger`.
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.ts';
import { BufferedDestination } from './log-destination.ts';
import type { Transport } from './tls/transport.ts';

/** What the proxy filled in for a proxied request (nginx's `$upstream_*` variables). */
export interface UpstreamFields {
  upstreamAddress?: string;
  upstreamMs?: number;
  upstreamStatus?: number;
}

export type AccessLog = (
  method: string,
  path: string,
  status: number,
  bytes: number,
  durationMs: number,
  requestId: string,
  upstream?: UpstreamFields,
  /** The HTTPS port's protocol and TLS version (tls/transport.ts); none for plain HTTP. */
  transport?: Transport,
) => void;

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level }, destination ?? new BufferedDestination(1));
}

/**
 * The access line, written straight to the logger's destination: the
 * bytes pino would write for `logger.info({ reqId, method, path, … })`
 * (its level and time prefix, its bindings, the fields in this order),
 * without pino's generic path per call (the merge loop, a serializer and
 * stringifier look-up per key, its write hooks): 1–9 µs per request on the
 * h2 fast path (docs/benchmarks.md, "The access line, written by hand").
 * `test/access-line.test.ts` holds it to pino's output byte for byte.
 * Strings go through JSON.stringify, which pino also uses for any string
 * its fast check does not pass as is; the two differ only on a lone UTF-16
 * surrogate, which request fields never hold (Node reads them as latin1).
 */
export function accessLogTo(logger: Logger): AccessLog {
  const { streamSym, chindingsSym } = pino.symbols;
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[streamSym] as { write(line: string): unknown };
  const bindings = internals[chindingsSym] as string;
  const info = logger.levels.values.info as number;
  return (method, path, status, bytes, durationMs, requestId, upstream, transport) => {
    if (logger.levelVal > info) return;
    let line = `{"level":${info},"time":${Date.now()}${bindings},"reqId":${JSON.stringify(requestId)},"method":${JSON.stringify(method)},"path":${JSON.stringify(path)},"status":${num(status)},"bytes":${num(bytes)},"ms":${num(round(durationMs))}`;
    if (transport !== undefined) {
      line += `,"proto":${JSON.stringify(transport.proto)},"tls":${JSON.stringify(transport.tls)}`;
    }
    if (upstream !== undefined) {
      const upstreamMs = upstream.upstreamMs ?? -1;
      // Empty and -1 when no upstream was reached (413, 429, 503 no_upstream, a cache hit).
      line += `,"upstream":${JSON.stringify(upstream.upstreamAddress ?? '')},"upstreamStatus":${num(upstream.upstreamStatus ?? 0)},"upstreamMs":${upstreamMs < 0 ? -1 : num(round(upstreamMs))}`;
    }
    stream.write(`${line}}\n`);
  };
}

/** As pino writes a number: `null` for NaN and the infinities. */
function num(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Resolves once queued lines are written (at most `limitMs` later), so exit loses none. */
export function flushLogger(logger: Logger, limitMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, limitMs);
    try {
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      // A destination that is already closed has nothing left to flush.
      clearTimeout(timer);
      resolve();
    }
  });
}
