/** Runs wrk (`-t1 -c50 -d5s --latency` by default) and reads req/s, p50, p99 and errors. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx responses plus socket errors: a result with any is not comparable. */
  errors: number;
  requests: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latency(output: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
  return match ? Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN) : Number.NaN;
}

export function parseWrk(output: string): WrkResult {
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    rps: Number(/^Requests\/sec:\s+([\d.]+)/m.exec(output)?.[1] ?? Number.NaN),
    p50Ms: latency(output, '50'),
    p99Ms: latency(output, '99'),
    errors: non2xx + socketErrors,
    requests: Number(/(\d+) requests in/.exec(output)?.[1] ?? 0),
  };
}

export interface WrkOptions {
  threads?: number;
  connections?: number;
  duration?: string;
  headers?: Readonly<Record<string, string>>;
}

export async function wrk(url: string, options: WrkOptions = {}): Promise<WrkResult> {
  const { threads = 1, connections = 50, duration = '5s', headers = {} } = options;
  const args = [`-t${threads}`, `-c${connections}`, `-d${duration}`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const { stdout } = await run('wrk', [...args, url]);
  return parseWrk(stdout);
}
