/**
 * The cache's counters as plain data, added up over workers like the
 * proxy's (../proxy/stats.ts), and their Prometheus lines.
 */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Stale entries served (stale-while-revalidate, stale-if-error). */
  staleServed: number;
  /** Revalidations the upstream answered 304. */
  revalidations: number;
  /** Requests that waited for another request to fill their key. */
  coalescedWaits: number;
  stores: number;
  evictions: number;
  invalidations: number;
  /** Gauges: what is held now. */
  bytes: number;
  entries: number;
}

export class CacheCounters {
  hits = 0;
  misses = 0;
  staleServed = 0;
  revalidations = 0;
  coalescedWaits = 0;
  stores = 0;
  evictions = 0;
  invalidations = 0;
}

export const CACHE_STAT_NAMES = [
  'hits',
  'misses',
  'staleServed',
  'revalidations',
  'coalescedWaits',
  'stores',
  'evictions',
  'invalidations',
  'bytes',
  'entries',
] as const satisfies readonly (keyof CacheStats)[];

export function emptyCacheStats(): CacheStats {
  return {
    hits: 0,
    misses: 0,
    staleServed: 0,
    revalidations: 0,
    coalescedWaits: 0,
    stores: 0,
    evictions: 0,
    invalidations: 0,
    bytes: 0,
    entries: 0,
  };
}

export function addCacheStats(total: CacheStats, s: CacheStats): void {
  for (const name of CACHE_STAT_NAMES) total[name] += s[name];
}

const SERIES: [keyof CacheStats, string, 'counter' | 'gauge', string][] = [
  ['hits', 'cache_hits_total', 'counter', 'Answers served from the cache while fresh.'],
  [
    'misses',
    'cache_misses_total',
    'counter',
    'Cacheable-method requests the cache could not answer.',
  ],
  ['staleServed', 'cache_stale_served_total', 'counter', 'Stale entries served (RFC 5861).'],
  [
    'revalidations',
    'cache_revalidations_total',
    'counter',
    'Stored entries the upstream confirmed with 304.',
  ],
  [
    'coalescedWaits',
    'cache_coalesced_waits_total',
    'counter',
    'Requests that waited for a concurrent fill of their key.',
  ],
  ['stores', 'cache_stores_total', 'counter', 'Responses stored.'],
  [
    'evictions',
    'cache_evictions_total',
    'counter',
    'Entries evicted to stay within EDGE_CACHE_BYTES.',
  ],
  ['invalidations', 'cache_invalidations_total', 'counter', 'Keys invalidated by unsafe requests.'],
  ['bytes', 'cache_bytes', 'gauge', 'Bytes held by the cache, all workers.'],
  ['entries', 'cache_entries', 'gauge', 'Entries held by the cache, all workers.'],
];

export function cacheStatsToPrometheus(stats: CacheStats, prefix: string): string[] {
  const lines: string[] = [];
  for (const [field, name, type, help] of SERIES) {
    lines.push(`# HELP ${prefix}_${name} ${help}`, `# TYPE ${prefix}_${name} ${type}`);
    lines.push(`${prefix}_${name} ${stats[field]}`);
  }
  return lines;
}
