/**
 * Counters as plain data: each worker process sends its snapshot to the
 * primary, which adds them up with {@link mergeProxyStats} and renders
 * `/_edge/metrics`. Histogram buckets are per bucket (not cumulative) so
 * merging is plain addition; {@link proxyStatsToPrometheus} makes them cumulative.
 */
import {
  addCacheStats,
  type CacheStats,
  cacheStatsToPrometheus,
  emptyCacheStats,
} from '../cache/index.ts';

/** Upper bounds in seconds, Prometheus' defaults stretched to the 60 s upstream timeout. */
export const LATENCY_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

export interface UpstreamAddressStats {
  address: string;
  healthy: boolean;
  ejected: boolean;
  outstanding: number;
  connected: number;
}

export interface ProxyStats {
  /** Responses the proxy sent, by status class: index 1 = 1xx … 5 = 5xx. */
  responsesByClass: number[];
  /** Time from dispatch to the end of the upstream response, per attempt. */
  upstreamLatency: { bucketsS: readonly number[]; counts: number[]; sumS: number; count: number };
  retries: number;
  ejections: number;
  healthCheckFailures: number;
  rateLimited: number;
  /** WebSocket tunnels closed for being idle (EDGE_TUNNEL_IDLE_TIMEOUT_MS). */
  tunnelIdleCloses: number;
  /** Open keep-alive connections to the upstreams, over all addresses. */
  openUpstreamConnections: number;
  upstreams: UpstreamAddressStats[];
  /** The shared cache's (../cache/); zeros when EDGE_CACHE=off. */
  cache: CacheStats;
}

export class Counters {
  readonly responsesByClass = [0, 0, 0, 0, 0, 0];
  // One slot per bucket plus the +Inf overflow.
  readonly latencyCounts = new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0);
  latencySumS = 0;
  latencyCount = 0;
  retries = 0;
  ejections = 0;
  healthCheckFailures = 0;
  rateLimited = 0;
  tunnelIdleCloses = 0;

  response(status: number): void {
    const index = (status / 100) | 0;
    if (index >= 1 && index <= 5) (this.responsesByClass[index] as number)++;
  }

  latency(ms: number): void {
    const seconds = ms / 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS_S.length && seconds > (LATENCY_BUCKETS_S[i] as number)) i++;
    (this.latencyCounts[i] as number)++;
    this.latencySumS += seconds;
    this.latencyCount++;
  }

  snapshot(upstreams: UpstreamAddressStats[], cache = emptyCacheStats()): ProxyStats {
    let open = 0;
    for (const u of upstreams) open += u.connected;
    return {
      responsesByClass: [...this.responsesByClass],
      upstreamLatency: {
        bucketsS: LATENCY_BUCKETS_S,
        counts: [...this.latencyCounts],
        sumS: this.latencySumS,
        count: this.latencyCount,
      },
      retries: this.retries,
      ejections: this.ejections,
      healthCheckFailures: this.healthCheckFailures,
      rateLimited: this.rateLimited,
      tunnelIdleCloses: this.tunnelIdleCloses,
      openUpstreamConnections: open,
      upstreams,
      cache,
    };
  }
}

function addInto(target: number[], source: readonly number[]): void {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + (source[i] ?? 0);
}

/** Adds up the snapshots of several workers; an address's line is kept per worker. */
export function mergeProxyStats(all: readonly ProxyStats[]): ProxyStats {
  const total = new Counters().snapshot([]);
  for (const s of all) {
    addInto(total.responsesByClass, s.responsesByClass);
    addInto(total.upstreamLatency.counts, s.upstreamLatency.counts);
    total.upstreamLatency.sumS += s.upstreamLatency.sumS;
    total.upstreamLatency.count += s.upstreamLatency.count;
    total.retries += s.retries;
    total.ejections += s.ejections;
    total.healthCheckFailures += s.healthCheckFailures;
    total.rateLimited += s.rateLimited;
    total.tunnelIdleCloses += s.tunnelIdleCloses;
    total.openUpstreamConnections += s.openUpstreamConnections;
    total.upstreams.push(...s.upstreams);
    addCacheStats(total.cache, s.cache);
  }
  return total;
}

/** Prometheus text lines (no trailing newline) for the proxy's part of `/_edge/metrics`. */
export function proxyStatsToPrometheus(stats: ProxyStats, prefix = 'edge'): string {
  const lines: string[] = [];
  const counter = (name: string, help: string, value: number) => {
    lines.push(`# HELP ${prefix}_${name} ${help}`, `# TYPE ${prefix}_${name} counter`);
    lines.push(`${prefix}_${name} ${value}`);
  };
  lines.push(`# HELP ${prefix}_proxy_responses_total Proxied responses by status class.`);
  lines.push(`# TYPE ${prefix}_proxy_responses_total counter`);
  for (let c = 1; c <= 5; c++) {
    lines.push(`${prefix}_proxy_responses_total{class="${c}xx"} ${stats.responsesByClass[c] ?? 0}`);
  }
  const h = stats.upstreamLatency;
  const name = `${prefix}_upstream_duration_seconds`;
  lines.push(`# HELP ${name} Time from dispatch to the end of the upstream response.`);
  lines.push(`# TYPE ${name} histogram`);
  let cumulative = 0;
  for (let i = 0; i < h.bucketsS.length; i++) {
    cumulative += h.counts[i] ?? 0;
    lines.push(`${name}_bucket{le="${h.bucketsS[i]}"} ${cumulative}`);
  }
  cumulative += h.counts[h.bucketsS.length] ?? 0;
  lines.push(`${name}_bucket{le="+Inf"} ${cumulative}`, `${name}_sum ${h.sumS}`);
  lines.push(`${name}_count ${h.count}`);
  counter('upstream_retries_total', 'Requests sent again to another address.', stats.retries);
  counter(
    'upstream_ejections_total',
    'Addresses ejected after refusing or resetting.',
    stats.ejections,
  );
  counter(
    'upstream_health_failures_total',
    'Failed active health checks.',
    stats.healthCheckFailures,
  );
  counter('rate_limited_total', 'Requests answered 429.', stats.rateLimited);
  counter(
    'tunnel_idle_closes_total',
    'WebSocket tunnels closed after the idle timeout.',
    stats.tunnelIdleCloses,
  );
  lines.push(...cacheStatsToPrometheus(stats.cache, prefix));
  lines.push(`# HELP ${prefix}_upstream_connections Open upstream connections.`);
  lines.push(`# TYPE ${prefix}_upstream_connections gauge`);
  lines.push(`${prefix}_upstream_connections ${stats.openUpstreamConnections}`);
  return lines.join('\n');
}
