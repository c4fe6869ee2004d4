/**
 * What the proxy needs, already validated: the edge's config.ts reads the
 * environment (setting names in README.md) and hands this object over.
 */
import { promises as dns } from 'node:dns';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; injected so tests can add and remove replicas. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface ProxyOptions {
  /** EDGE_UPSTREAM: `http://app:3000`; the host name is re-resolved while running. */
  upstream: URL;
  /** EDGE_TRUSTED_PROXIES: addresses or CIDRs whose `X-Forwarded-*` are extended, not replaced. */
  trustedProxies: readonly string[];
  /** EDGE_MAX_BODY_BYTES; 0 turns the limit off (nginx's `client_max_body_size 0`). */
  maxBodyBytes: number;
  /** EDGE_UPSTREAM_CONNECT_TIMEOUT_MS */
  connectTimeoutMs: number;
  /** EDGE_UPSTREAM_TIMEOUT_MS: for the response head and between body chunks. */
  upstreamTimeoutMs: number;
  /** EDGE_RESOLVE_INTERVAL_MS */
  resolveIntervalMs: number;
  /** EDGE_HEALTH_PATH; empty turns active checks off. */
  healthPath: string;
  /** EDGE_HEALTH_INTERVAL_MS; 0 turns active checks off. */
  healthIntervalMs: number;
  /** EDGE_UPSTREAM_EJECT_MS: first back-off of an address that refused or reset; doubles per failure up to 8×. */
  ejectMs: number;
  /** EDGE_COMPRESS_MIN_BYTES: smallest response compressed; 0 turns compression off. */
  compressMinBytes: number;
  /** EDGE_RATE_LIMIT_RPS: requests per second per client; 0 (the default) turns it off. */
  rateLimitPerSecond: number;
  /** EDGE_RATE_LIMIT_BURST: bucket size; 0 means twice the rate. */
  rateLimitBurst: number;
  /** EDGE_LINGER_MS: after a refusal with the body unread, the most time spent reading and dropping it (nginx's `lingering_time`); 0: close at once. */
  lingerMs: number;
  /** EDGE_LINGER_IDLE_MS: that lingering stops once the client sent nothing for this long (nginx's `lingering_timeout`). */
  lingerIdleMs: number;
  /** EDGE_TUNNEL_IDLE_TIMEOUT_MS: an upgraded (WebSocket) tunnel closes after this long with no byte either way (nginx's `proxy_read_timeout`); 0: never. */
  tunnelIdleMs: number;
  /** `Server` header of proxied and error responses (never a version); empty sends none. */
  serverHeader: string;
  resolve: Resolver;
}

export const defaultResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true });

/** Defaults: nginx's where it has one (the root README, "Contracts between the containers"). */
export const PROXY_DEFAULTS = Object.freeze({
  trustedProxies: [] as readonly string[],
  maxBodyBytes: 1024 * 1024,
  connectTimeoutMs: 5000,
  upstreamTimeoutMs: 60_000,
  resolveIntervalMs: 2000,
  healthPath: '/readyz',
  healthIntervalMs: 1000,
  ejectMs: 2000,
  // Below ~1 KiB gzip's header and dictionary cost more than they save.
  compressMinBytes: 1024,
  rateLimitPerSecond: 0,
  rateLimitBurst: 0,
  lingerMs: 30_000,
  lingerIdleMs: 5000,
  tunnelIdleMs: 60_000,
  serverHeader: 'edge',
  resolve: defaultResolver,
});

/** Fills in defaults: for tests and the bench; config.ts passes every field. */
export function proxyOptions(
  overrides: Partial<ProxyOptions> & Pick<ProxyOptions, 'upstream'>,
): ProxyOptions {
  return { ...PROXY_DEFAULTS, ...overrides };
}
