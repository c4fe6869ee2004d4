/** What every part of one worker's cache shares. */
import type { ProxyOptions } from '../proxy/options.ts';
import type { Counters } from '../proxy/stats.ts';
import { Coalescer } from './coalesce.ts';
import type { CachePeers } from './peers.ts';
import { CacheCounters } from './stats.ts';
import { Store } from './store.ts';

export class CacheCore {
  readonly options: ProxyOptions;
  readonly maxEntryBytes: number;
  readonly counters = new CacheCounters();
  readonly store: Store;
  readonly coalescer: Coalescer;
  /** The proxy's response counters: an answer from the cache is a proxied response too. */
  readonly responses: Counters;

  constructor(options: ProxyOptions, responses: Counters) {
    this.options = options;
    this.maxEntryBytes = options.cacheMaxEntryBytes;
    this.store = new Store(options.cacheBytes, this.counters);
    this.coalescer = new Coalescer(options.cacheLockMs);
    this.responses = responses;
    this.peers = options.cachePeers;
    this.peers?.subscribe((keys) => {
      for (const key of keys) this.drop(key);
    });
  }

  /** The other workers, told of this worker's invalidations. */
  readonly peers: CachePeers | undefined;

  /** Drops every variant stored under `key`; whether there was one. */
  drop(key: string): boolean {
    if (!this.store.byKey.has(key)) return false;
    this.store.delete(key);
    this.counters.invalidations++;
    return true;
  }
}

/** A field of undici's flat `[name, value, …]` list; the edge's own are at its end. */
export function fieldOf(flat: readonly string[], name: string): string {
  for (let i = flat.length - 2; i >= 0; i -= 2) if (flat[i] === name) return flat[i + 1] as string;
  return '';
}

/** One key per URL as the app sees it: scheme, host and target. */
export function keyOf(proto: string, host: string, target: string): string {
  return `${proto}://${host.toLowerCase()}${target}`;
}
