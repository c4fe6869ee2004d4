/**
 * What the proxy needs, already validated: the edge's config.ts reads the
 * environment and hands its `Config` over. The settings themselves (names,
 * ranges, defaults, what each does) are declared once, in ../settings.ts;
 * here they are only picked.
 */
import { promises as dns } from 'node:dns';
import type { CachePeers } from '../cache/peers.ts';
import { type Config, DEFAULTS } from '../config.ts';
import type { AccelOptions } from './accel.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; injected so tests can add and remove replicas. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The edge settings the proxy reads, by their `Config` names. */
export const PROXY_SETTINGS = [
  'upstream',
  'trustedProxies',
  'maxBodyBytes',
  'uploadPaths',
  'uploadMaxBodyBytes',
  'upstreamConnectTimeoutMs',
  'upstreamTimeoutMs',
  'resolveIntervalMs',
  'healthPath',
  'healthIntervalMs',
  'upstreamEjectMs',
  'compressMinBytes',
  'rateLimitPerSecond',
  'rateLimitBurst',
  'lingerMs',
  'lingerIdleMs',
  'tunnelIdleMs',
  'cache',
  'cacheBytes',
  'cacheMaxEntryBytes',
  'cacheLockMs',
] as const satisfies readonly (keyof Config)[];

export type ProxySettings = Pick<Config, (typeof PROXY_SETTINGS)[number]>;

export type ProxyOptions = ProxySettings & {
  /** `Server` header of proxied and error responses (never a version); empty sends none. */
  readonly serverHeader: string;
  readonly resolve: Resolver;
  /** The other workers' caches, told of each invalidation (cache/peers.ts); none in one process. */
  readonly cachePeers?: CachePeers | undefined;
  /** Where an upstream's `X-Accel-Redirect` is served from (accel.ts). */
  readonly accel?: AccelOptions | undefined;
};

export const defaultResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true });

/** The proxy's share of an edge config. */
export function proxySettings(config: ProxySettings): ProxySettings {
  const picked: Partial<Record<keyof ProxySettings, unknown>> = {};
  for (const key of PROXY_SETTINGS) picked[key] = config[key];
  return picked as ProxySettings;
}

/** Every option at the edge's default (settings.ts), with a `Server` header and DNS. */
export const PROXY_DEFAULTS: Readonly<ProxyOptions> = Object.freeze({
  ...proxySettings(DEFAULTS),
  serverHeader: 'edge',
  resolve: defaultResolver,
});

/** Fills in defaults: for tests and the bench; edge.ts passes every field. */
export function proxyOptions(
  overrides: Partial<ProxyOptions> & Pick<ProxyOptions, 'upstream'>,
): ProxyOptions {
  return { ...PROXY_DEFAULTS, ...overrides };
}
