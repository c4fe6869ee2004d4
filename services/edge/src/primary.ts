/**
 * The cluster primary: forks the workers, replaces one that dies while
 * serving, and on SIGTERM/SIGINT passes SIGTERM to each and exits when all
 * have (0 only if every worker exited 0). `docker stop` signals only PID 1,
 * hence the forwarding.
 *
 * Node's default round-robin scheduling hands each new connection to a
 * worker; with keep-alive that is a cost per connection, not per request.
 */
import cluster, { type Worker } from 'node:cluster';
import { createLogger, flushLogger } from './access-log.ts';
import type { Config } from './config.ts';
import { relayStats } from './stats-relay.ts';

const RESTART_DELAY_MS = 1000;

export function runPrimary(config: Readonly<Config>): void {
  const log = createLogger(config.logLevel);
  let stopping = false;
  let failed = false;

  const workers = (): Worker[] =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  const finish = async (code: number): Promise<void> => {
    await flushLogger(log);
    process.exit(code);
  };

  const fork = (): void => {
    const worker = cluster.fork();
    let listening = false;
    worker.once('listening', () => {
      listening = true;
    });
    worker.once('exit', (code, signal) => {
      if (stopping) {
        // A worker that died earlier and was replaced does not count here.
        if (code !== 0) failed = true;
        if (workers().length === 0) void finish(failed ? 1 : 0);
        return;
      }
      if (!listening) {
        // It never served: a bad port, an unreadable root. Restarting would loop.
        log.fatal({ pid: worker.process.pid, code, signal }, 'worker failed at start');
        stop('startup failure');
        return;
      }
      log.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
      setTimeout(() => {
        if (!stopping) fork();
      }, RESTART_DELAY_MS);
    });
  };

  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    if (reason === 'startup failure') failed = true;
    log.info({ reason }, 'stopping workers');
    const alive = workers();
    if (alive.length === 0) void finish(failed ? 1 : 0);
    for (const worker of alive) worker.process.kill('SIGTERM');
    // Workers cut their own stragglers after the grace period; this is the
    // backstop for one that hangs anyway.
    setTimeout(
      () => {
        log.error('workers still running after the grace period; killing them');
        for (const worker of workers()) worker.process.kill('SIGKILL');
        failed = true;
      },
      config.drainMs + config.shutdownGraceMs + 2000,
    ).unref();
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  relayStats();
  log.info({ workers: config.workers, port: config.port }, 'starting workers');
  for (let i = 0; i < config.workers; i++) fork();
}
