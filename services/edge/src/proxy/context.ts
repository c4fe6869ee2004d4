/**
 * What the proxy's parts pass each other: the per-request context the
 * access log reads, the cache's tap on an upstream response, and what every
 * exchange shares.
 */
import type { Duplex } from 'node:stream';
import type { ProxyOptions } from './options.ts';
import type { Fields } from './response-head.ts';
import type { Counters } from './stats.ts';
import type { Upstreams } from './upstreams.ts';

/**
 * Passed by the caller with its request id; the proxy fills in the rest
 * before the response finishes, for the access log.
 */
export interface ProxyContext {
  requestId: string;
  /** `ip:port` of each address tried, comma-separated as nginx's `$upstream_addr`. */
  upstreamAddress?: string;
  /** Milliseconds from the first dispatch to the end (or failure) of the upstream response. */
  upstreamMs?: number;
  /** The upstream's status, when it answered. */
  upstreamStatus?: number;
  /** The upgrade path's own answer (a refusal, 502/503/504): no response object holds it. */
  edgeStatus?: number;
  /**
   * The edge cut the response itself (the upstream failed mid-body): logged
   * with the status it sent, not as a client that left (499).
   */
  cut?: boolean;
}

/**
 * What the cache sees of one upstream response (src/cache/). `head` may
 * add fields to `out` (Cache-Status); true means it answered the client
 * itself and the exchange relays nothing more.
 */
export interface ResponseTap {
  head(status: number, headers: Fields, out: string[]): boolean;
  data(chunk: Buffer): void;
  end(): void;
  abort(): void;
  /** The exchange is about to answer an error of its own: true when the tap answered instead. */
  failed(): boolean;
}

export interface Shared {
  options: ProxyOptions;
  upstreams: Upstreams;
  counters: Counters;
  /** Client sockets of the open WebSocket tunnels (upgrade.ts), for `closeTunnels`. */
  tunnels: Set<Duplex>;
}
