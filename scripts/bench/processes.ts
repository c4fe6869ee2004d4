/**
 * Every process the bench starts, and stopping them all by pid: each target
 * runs in its own process group (nginx's master and worker, the edge's
 * primary and worker), so a stop reaches all of it and nothing else.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

const started = new Set<ChildProcess>();

export function start(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; log: string },
): ChildProcess {
  const out = openSync(options.log, 'a');
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM, then SIGKILL after `graceMs` for a process group that lingers. */
export async function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // The group may outlive its leader (nginx's worker): make sure it is gone.
  signalGroup(child, 'SIGKILL');
}

export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((child) => stop(child)));
}

/** Synchronous, for `process.on('exit')`: no awaiting there. */
export function killAllNow(): void {
  for (const child of started) signalGroup(child, 'SIGKILL');
}

export { freePort } from '@stack/shared/testing';

export async function waitForPort(port: number, child: ChildProcess, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`port ${port} not listening after ${ms} ms`);
}

/** The direct children of `pid` (the edge primary's workers). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export interface Memory {
  /** Resident set size (what `ps` and the target call RSS), MiB. */
  rssMiB: number;
  /**
   * The part no other process shares (anonymous memory, written pages), MiB:
   * what one more worker costs. The rest of the RSS is mostly the node
   * binary's code, mapped once for every worker.
   */
  privateMiB: number;
}

/** A process's memory from /proc/PID/smaps_rollup (Linux); undefined once it is gone. */
export function memory(pid: number | undefined): Memory | undefined {
  if (pid === undefined) return undefined;
  try {
    return parseSmapsRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The fields of `smaps_rollup` that `memory` reports; undefined without an Rss line. */
export function parseSmapsRollup(text: string): Memory | undefined {
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  const rss = kb('Rss');
  const own = kb('Private_Clean') + kb('Private_Dirty');
  return Number.isNaN(rss) ? undefined : { rssMiB: rss / 1024, privateMiB: own / 1024 };
}

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by `pid` and its direct children:
 * steadier than req/s on a machine shared with other work, which slows a
 * server down without making it spend more CPU per request.
 */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const id of [pid, ...childrenOf(pid)]) {
    try {
      const fields = readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}
