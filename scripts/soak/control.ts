/**
 * The soak's control: an idle Node process on the host whose only work is
 * to measure its own event-loop delay. Whatever it sees is the machine's
 * doing (other work on the same cores), not the stack's, so the verdict
 * lets a stack process's delay grow by as much as the control's did
 * (verdict.ts). Without it, a run that shares the machine with other
 * suites (CI) judges their load, not a leak.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CONTROL_ROLE, type Sample } from './verdict.ts';

const SCRIPT = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
setInterval(() => {
  console.log(JSON.stringify({ t: Date.now(), eldP99Ms: delay.percentile(99) / 1e6 }));
  delay.reset();
}, Number(process.argv[1]));
// Gone with the soak, however it ends: its stdin closes then.
process.stdin.on('end', () => process.exit(0)).resume();
`;

export interface Control {
  /** The control's latest reading, as a sample of container `host`. */
  latest(): Sample | undefined;
  stop(): void;
}

export function startControl(everyMs: number): Control {
  const child: ChildProcess = spawn(process.execPath, ['-e', SCRIPT, String(everyMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let latest: Sample | undefined;
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const { t, eldP99Ms } = JSON.parse(line) as { t: number; eldP99Ms: number };
    latest = { container: 'host', role: CONTROL_ROLE, pid: child.pid ?? 0, t, eldP99Ms };
  });
  return {
    latest: () => latest,
    stop: () => {
      child.stdin?.end();
      child.kill();
    },
  };
}
