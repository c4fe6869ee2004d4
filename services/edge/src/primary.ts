/**
 * The cluster primary: forks the workers, replaces one that dies while
 * serving, and on SIGTERM/SIGINT passes SIGTERM to each and exits when all
 * have (0 only if every worker exited 0). `docker stop` signals only PID 1,
 * hence the forwarding.
 *
 * Node's default round-robin scheduling hands each new connection to a
 * worker; with keep-alive that is a cost per connection, not per request.
 * With EDGE_TLS_PORT the primary also owns the certificates and the TLS
 * session ticket keys (tls/primary.ts), which it sends the workers.
 */
import cluster, { type Worker } from 'node:cluster';
import { createLogger, flushLogger } from './access-log.ts';
import { relayCacheDrops } from './cache/peers.ts';
import { type Config, ConfigError } from './config.ts';
import { relayStats } from './stats-relay.ts';

const RESTART_DELAY_MS = 1000;

export async function runPrimary(config: Readonly<Config>): Promise<void> {
  const log = createLogger(config.logLevel);
  // Certificates before any worker: a worker's TLS listener waits for them.
  let stopTls = (): void => {};
  if (config.tlsPort > 0) {
    try {
      stopTls = await (await import('./tls/primary.ts')).startTls(config, log);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`${error.message}\n`);
      await flushLogger(log);
      process.exit(1);
    }
  }
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
    // Serving once every listener is up: the plain port, and the TLS one when set.
    let listeners = config.tlsPort > 0 ? 2 : 1;
    worker.on('listening', () => {
      if (--listeners === 0) listening = true;
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
    stopTls();
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
  relayCacheDrops();
  log.info({ workers: config.workers, port: config.port }, 'starting workers');
  for (let i = 0; i < config.workers; i++) fork();
}
