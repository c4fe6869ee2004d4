/**
 * The app server's process: settings → build → listen on 0.0.0.0 → drain on
 * SIGTERM/SIGINT (the root README, "Contracts between the containers").
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from './app.ts';
import { CollectstaticError, type Manifest, staticManifest } from './collectstatic/index.ts';
import { loadConfigOrExit } from './config.ts';

const config = loadConfigOrExit(process.env);

let manifest: Manifest;
try {
  // Production renders with the set baked into the image (the one the
  // collectstatic one-shot copied to the edge); development builds it afresh.
  manifest = await staticManifest({ build: config.env === 'development' });
} catch (error) {
  if (!(error instanceof CollectstaticError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const app = buildApp(config, { manifest });

try {
  // 0.0.0.0, not localhost: in a container, loopback is unreachable from
  // the edge.
  await app.listen({ host: '0.0.0.0', port: config.port });
} catch (error) {
  app.log.fatal({ err: error }, 'could not start');
  process.exit(1);
}

let stopping = false;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    app.log.warn({ signal }, 'second signal: exiting without draining');
    process.exit(1);
  }
  stopping = true;
  // Not ready at once, but keep serving: the edge notices within its
  // re-resolve and health-check intervals and stops sending requests here.
  app.startDraining();
  app.log.info({ signal, drainMs: config.drainMs }, 'draining');
  await sleep(config.drainMs);
  try {
    // Stops accepting, finishes in-flight requests, then ends the pool.
    await app.close();
  } catch (error) {
    app.log.error({ err: error }, 'close failed');
    process.exit(1);
  }
  app.log.info('stopped');
  process.exit(0);
}

process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
