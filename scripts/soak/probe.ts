/**
 * Loaded into every Node process of the soak's app and edge containers
 * (`NODE_OPTIONS=--import=/soak/probe.ts`, compose.soak.yaml): every
 * SOAK_PROBE_MS it writes what the soak samples of this process to
 * `/tmp/soak/<pid>.json`, one JSON object, replaced whole (written to a
 * temporary name, then renamed). Node built-ins only: it runs in the
 * images as they ship.
 */
import cluster from 'node:cluster';
import { mkdirSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const DIR = '/tmp/soak';
const EVERY_MS = Number(process.env.SOAK_PROBE_MS ?? 10_000);
const role = `${basename(process.argv[1] ?? 'node')}${cluster.isWorker ? ' worker' : ''}`;
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

function descriptors(): { fds: number; sockets: number } {
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    fds++;
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) sockets++;
    } catch {
      // Closed between the listing and the look: not counted as a socket.
    }
  }
  return { fds, sockets };
}

function write(): void {
  const memory = process.memoryUsage();
  const sample = {
    pid: process.pid,
    role,
    t: Date.now(),
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    eldP99Ms: delay.percentile(99) / 1e6,
    eldMaxMs: delay.max / 1e6,
    ...descriptors(),
  };
  delay.reset();
  const file = join(DIR, `${process.pid}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(sample));
  renameSync(`${file}.tmp`, file);
}

try {
  mkdirSync(DIR, { recursive: true });
  setInterval(() => {
    try {
      write();
    } catch {
      // A full /tmp must not take the process down; the soak sees the gap.
    }
  }, EVERY_MS).unref();
} catch {
  // No writable /tmp: nothing is sampled, and the soak says so.
}
