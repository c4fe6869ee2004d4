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

/** One line's fields; the upstream's and the transport's only when there are any. */
interface Line {
  reqId: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  ms: number;
  proto?: string;
  tls?: string;
  upstream?: string;
  upstreamStatus?: number;
  upstreamMs?: number;
}

export function accessLogTo(logger: Logger): AccessLog {
  return (method, path, status, bytes, durationMs, requestId, upstream, transport) => {
    const line: Line = { reqId: requestId, method, path, status, bytes, ms: round(durationMs) };
    if (transport !== undefined) {
      line.proto = transport.proto;
      line.tls = transport.tls;
    }
    if (upstream !== undefined) {
      const upstreamMs = upstream.upstreamMs ?? -1;
      // Empty and -1 when no upstream was reached (413, 429, 503 no_upstream, a cache hit).
      line.upstream = upstream.upstreamAddress ?? '';
      line.upstreamStatus = upstream.upstreamStatus ?? 0;
      line.upstreamMs = upstreamMs < 0 ? -1 : round(upstreamMs);
    }
    logger.info(line);
  };
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
