/**
 * Reads the JSON log lines that logs.ts streams to disk. Each line is
 * Docker's timestamp, a space, then the service's own JSON (pino) line.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from './http.ts';

export type LogLine = Record<string, unknown>;

/** Every JSON line of every log file of a service (`app` → app-1.log, app-2.log, …). */
export async function logLines(dir: string, service: string): Promise<LogLine[]> {
  const files = (await readdir(dir)).filter(
    (f) => f.startsWith(`${service}-`) && f.endsWith('.log'),
  );
  const lines: LogLine[] = [];
  for (const file of files) {
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      const json = line.slice(line.indexOf(' ') + 1);
      if (!json.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(json) as LogLine);
      } catch {
        // A line cut at the moment of reading, or not JSON: not a log record.
      }
    }
  }
  return lines;
}

/**
 * The first line of a service's logs that `match` accepts, waiting for it:
 * the edge buffers its access log for up to a second (nginx's `flush=1s`).
 */
export function waitForLogLine(
  dir: string,
  service: string,
  match: (line: LogLine) => boolean,
  timeoutMs = 10_000,
): Promise<LogLine> {
  return eventually(
    async () => {
      const found = (await logLines(dir, service)).find(match);
      if (!found) throw new Error(`no ${service} log line matched within ${timeoutMs} ms`);
      return found;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
