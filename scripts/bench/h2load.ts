/**
 * Runs h2load (nghttp2-client) and reads its summary: req/s, the mean and
 * worst time per request (h2load reports no percentiles), failures,
 * and what the TLS handshake negotiated, so the rows can check every
 * target spoke the same protocol.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface H2loadResult {
  rps: number;
  /** Requests that got a 2xx or 3xx. */
  requests: number;
  /** Everything else h2load counted: 4xx/5xx, reset streams, failed connections, timeouts. */
  errors: number;
  /** The run's wall time as h2load measured it, seconds. */
  seconds: number;
  /** Time per request (stream opened to response complete), mean and worst. */
  meanMs: number;
  maxMs: number;
  /** `h2`, `http/1.1`…: the ALPN h2load ended up with. */
  protocol: string;
  /** e.g. `TLSv1.3 TLS_AES_128_GCM_SHA256 X25519` */
  tls: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function ms(value: string | undefined, unit: string | undefined): number {
  return value === undefined ? Number.NaN : Number(value) * (UNIT_MS[unit ?? ''] ?? Number.NaN);
}

const field = (output: string, name: string) =>
  new RegExp(`^${name}:\\s*(.+?)\\s*$`, 'm').exec(output)?.[1];

export function parseH2load(output: string): H2loadResult {
  const finished = /^finished in ([\d.]+)(us|ms|s|m|h), ([\d.]+) req\/s/m.exec(output);
  const counts = /^requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded/m.exec(output);
  const time =
    /^time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)/m.exec(output);
  const total = Number(counts?.[1] ?? 0);
  const succeeded = Number(counts?.[2] ?? 0);
  // "Server Temp Key: X25519 253 bits", "ECDH P-256 256 bits": the group, not its size.
  const group = field(output, 'Server Temp Key')?.replace(/ \d+ bits$/, '');
  return {
    rps: Number(finished?.[3] ?? Number.NaN),
    requests: succeeded,
    errors: total - succeeded,
    seconds: ms(finished?.[1], finished?.[2]) / 1000,
    meanMs: ms(time?.[5], time?.[6]),
    maxMs: ms(time?.[3], time?.[4]),
    protocol: field(output, 'Application protocol') ?? 'none',
    tls: [field(output, 'TLS Protocol'), field(output, 'Cipher'), group]
      .filter((part) => part !== undefined)
      .join(' '),
  };
}

export interface H2loadOptions {
  clients: number;
  /** Concurrent streams per connection (`-m`). */
  streams: number;
  /** Timing-based (`-D`), or a number of requests (`-n`) across all clients. */
  duration?: string;
  requests?: number;
}

/** `5s`, `500ms`, `1m` (as wrk and h2load read them) in seconds. */
export function seconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(duration);
  if (!match) throw new Error(`duration ${duration}: expected e.g. 5s, 500ms, 1m`);
  return Number(match[1]) * ({ ms: 0.001, s: 1, m: 60 }[match[2] ?? 's'] ?? 1);
}

/** h2load waits forever for a stuck connection: past this much beyond its run, it is stopped. */
const GRACE_S = 30;

export async function h2load(url: string, options: H2loadOptions): Promise<H2loadResult> {
  const args = ['-t1', `-c${options.clients}`, `-m${options.streams}`];
  if (options.duration !== undefined) args.push('-D', options.duration);
  else args.push(`-n${options.requests ?? options.clients}`);
  const limitS = (options.duration === undefined ? 0 : seconds(options.duration)) + GRACE_S;
  try {
    const { stdout } = await run('h2load', [...args, url], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: limitS * 1000,
      killSignal: 'SIGKILL',
    });
    return parseH2load(stdout);
  } catch (error) {
    const { killed, stdout } = error as { killed?: boolean; stdout?: string };
    if (killed) throw new Error(`h2load ${args.join(' ')} ${url} did not finish in ${limitS} s`);
    // A failed run still prints its summary (h2load exits 1 when no request succeeded).
    if (stdout?.includes('requests:')) return parseH2load(stdout);
    throw error;
  }
}

/**
 * New connections per second: bursts of `burst` clients that each make one
 * connection (a full handshake: h2load resumes no session) and one request,
 * repeated until `seconds` have passed; the rate is the requests over
 * h2load's own time for them. A burst stays under the servers' accept
 * backlog (511), so no SYN waits a second for its retry.
 */
export async function connectionRate(
  url: string,
  seconds: number,
  burst = 200,
): Promise<H2loadResult> {
  const runs: H2loadResult[] = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end || runs.length === 0) {
    runs.push(await h2load(url, { clients: burst, streams: 1, requests: burst }));
  }
  const sum = (pick: (r: H2loadResult) => number) => runs.reduce((n, r) => n + pick(r), 0);
  const requests = sum((r) => r.requests);
  const time = sum((r) => r.seconds);
  const first = runs[0] as H2loadResult;
  return {
    ...first,
    rps: requests / time,
    requests,
    errors: sum((r) => r.errors),
    seconds: time,
    meanMs: sum((r) => r.meanMs * r.requests) / Math.max(1, requests),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
  };
}
