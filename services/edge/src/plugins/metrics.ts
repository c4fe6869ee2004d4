/**
 * `/_edge/metrics`: the Prometheus text format, added up over every worker.
 * It names every replica's internal address and each scrape asks every
 * worker, so only peers in EDGE_METRICS_ALLOW get it (nginx: `allow`/`deny`
 * in the location). The TCP peer decides, never `X-Forwarded-For`.
 */
import type { BlockList } from 'node:net';
import fp from 'fastify-plugin';
import { sendError } from '../errors.ts';
import { type EdgeStats, edgeStatsToPrometheus, mergeEdgeStats } from '../metrics.ts';
import { addressIn } from '../proxy/forwarded.ts';
import { EDGE_PREFIX } from './errors.ts';

export interface MetricsOptions {
  /** Every worker's figures (stats-relay.ts), or this process's alone. */
  gather: () => Promise<EdgeStats[]>;
  /** Who may scrape; null: nobody. */
  allow: BlockList | null;
}

export default fp<MetricsOptions>(
  async (edge, { gather, allow }) => {
    edge.get(
      `${EDGE_PREFIX}metrics`,
      { schema: { response: { 200: { type: 'string' }, 403: { $ref: 'ErrorBody#' } } } },
      async (request, reply) => {
        if (!addressIn(allow, request.socket.remoteAddress)) {
          reply.header('cache-control', 'no-store');
          return sendError(request, reply, 403, 'metrics are served to EDGE_METRICS_ALLOW only');
        }
        const text = edgeStatsToPrometheus(mergeEdgeStats(await gather()));
        return reply
          .header('cache-control', 'no-store')
          .type('text/plain; version=0.0.4; charset=utf-8')
          .send(text);
      },
    );
  },
  { name: 'edge-metrics', dependencies: ['edge-errors'] },
);
