/** `/_edge/metrics`: the Prometheus text format, added up over every worker. */
import fp from 'fastify-plugin';
import { type EdgeStats, edgeStatsToPrometheus, mergeEdgeStats } from '../metrics.ts';
import { EDGE_PREFIX } from './errors.ts';

export interface MetricsOptions {
  /** Every worker's figures (stats-relay.ts), or this process's alone. */
  gather: () => Promise<EdgeStats[]>;
}

export default fp<MetricsOptions>(
  async (edge, { gather }) => {
    edge.get(
      `${EDGE_PREFIX}metrics`,
      { schema: { response: { 200: { type: 'string' } } } },
      async (_request, reply) => {
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
