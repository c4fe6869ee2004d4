/** Runs wrk and reads its summary: requests per second, p50 and p99 latency. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses that were not 2xx/3xx, plus socket errors: a row with any is suspect. */
  errors: number;
  requests: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latency(output: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
  return match ? Number(match[1]) * (UNIT_MS[match[2] as string] ?? Number.NaN) : Number.NaN;
}

export function parseWrk(output: string): WrkResult {
  const rps = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(output)?.[1] ?? Number.NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    rps,
    requests: Number(/(\d+) requests in/.exec(output)?.[1] ?? 0),
    p50Ms: latency(output, '50'),
    p99Ms: latency(output, '99'),
    errors: non2xx + socketErrors,
  };
}

export async function wrk(
  url: string,
  { threads = 1, connections = 50, duration = '5s' } = {},
): Promise<WrkResult> {
  const { stdout } = await run('wrk', [
    `-t${threads}`,
    `-c${connections}`,
    `-d${duration}`,
    '--latency',
    url,
  ]);
  return parseWrk(stdout);
}
