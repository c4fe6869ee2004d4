/**
 * The edge's entry: load the settings (one line and exit 1 when one is bad),
 * then run as the cluster primary, which forks EDGE_WORKERS workers sharing
 * the port, or as one of those workers.
 */
import cluster from 'node:cluster';
import { type Config, ConfigError, loadConfig } from './config.ts';

let config: Readonly<Config>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Each role imports only its own code: the primary never loads Fastify.
if (cluster.isPrimary) (await import('./primary.ts')).runPrimary(config);
else await (await import('./worker.ts')).runWorker(config);
