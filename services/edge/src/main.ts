/**
 * The edge's entry: load the settings (one line and exit 1 when one is bad),
 * then run as the cluster primary, which forks EDGE_WORKERS workers sharing
 * the port, or as one of those workers.
 */
import cluster from 'node:cluster';
import { loadOrExit } from '@stack/shared/settings';
import { loadConfig } from './config.ts';

const config = loadOrExit(() => loadConfig(process.env));

// Each role imports only its own code: the primary never loads Fastify.
if (cluster.isPrimary) await (await import('./primary.ts')).runPrimary(config);
else await (await import('./worker.ts')).runWorker(config);
