/**
 * The edge's settings: read from the environment once at start, validated
 * against one schema, returned as a frozen object. A bad setting throws a
 * {@link ConfigError} whose message is the single line `main.ts` prints before
 * exiting 1 (the root README, "Contracts between the containers"). The machinery is `@stack/shared`'s
 * settings.ts, the app's too.
 */
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
// The subpath, not the package root: the primary loads this file, and it
// imports only what it needs (../README.md, "What each choice cost or bought").
import { addressListSetting, invalid, settingsReader } from '@stack/shared/settings';
import { PROXY_DEFAULTS } from './proxy/options.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function int(minimum: number, maximum: number, unit = '') {
  return {
    type: 'integer',
    minimum,
    maximum,
    description: `an integer ${minimum}-${maximum}${unit}`,
  } as const;
}

// A plain JSON schema rather than TypeBox as the app has: TypeBox adds 20 MiB
// of RSS to every worker (measured), against a 100 MiB budget per worker.
// Every property carries `description`, worded to follow "must be", so an
// error names the setting and what it accepts whatever ajv keyword failed.
const PROPERTIES = {
  EDGE_HOST: { type: 'string', description: 'an IP address to listen on (0.0.0.0, ::, 127.0.0.1)' },
  EDGE_PORT: int(0, 65535),
  EDGE_STATIC_ROOT: { type: 'string', minLength: 1, description: 'a directory path' },
  EDGE_WORKERS: int(1, 256),
  // Node refuses a headers timeout above its request timeout (300 s).
  EDGE_HEADERS_TIMEOUT_MS: int(1, 300_000, ' (milliseconds)'),
  EDGE_KEEPALIVE_TIMEOUT_MS: int(1, 3_600_000, ' (milliseconds)'),
  EDGE_DRAIN_MS: int(0, 600_000, ' (milliseconds)'),
  EDGE_SHUTDOWN_GRACE_MS: int(0, 600_000, ' (milliseconds)'),
  EDGE_STATIC_CACHE_BYTES: int(0, 8 * 1024 ** 3, ' (bytes)'),
  EDGE_STATIC_POLL_MS: int(50, 3_600_000, ' (milliseconds)'),
  EDGE_STATIC_FAST_PATH: { type: 'boolean', description: 'true or false' },
  EDGE_LOG_LEVEL: { enum: LOG_LEVELS, description: `one of ${LOG_LEVELS.join(', ')}` },
  EDGE_REQUEST_TIMEOUT_MS: int(1, 3_600_000, ' (milliseconds)'),
  EDGE_UPSTREAM: { type: 'string', minLength: 1, description: 'an http:// URL' },
  EDGE_TRUSTED_PROXIES: { type: 'string', description: 'comma-separated IP addresses or CIDRs' },
  EDGE_MAX_BODY_BYTES: int(0, 2 ** 40, ' (bytes; 0: no limit)'),
  EDGE_UPSTREAM_CONNECT_TIMEOUT_MS: int(1, 600_000, ' (milliseconds)'),
  EDGE_UPSTREAM_TIMEOUT_MS: int(1, 3_600_000, ' (milliseconds)'),
  EDGE_RESOLVE_INTERVAL_MS: int(0, 3_600_000, ' (milliseconds; 0: only on failures)'),
  EDGE_HEALTH_PATH: {
    type: 'string',
    pattern: '^/[^\\s]*$',
    description: 'a path starting with / (empty: no active checks)',
  },
  EDGE_HEALTH_INTERVAL_MS: int(0, 3_600_000, ' (milliseconds; 0: no active checks)'),
  EDGE_UPSTREAM_EJECT_MS: int(1, 3_600_000, ' (milliseconds)'),
  EDGE_COMPRESS_MIN_BYTES: int(0, 2 ** 31, ' (bytes; 0: no compression)'),
  EDGE_RATE_LIMIT_RPS: int(0, 1_000_000, ' (requests per second; 0: off)'),
  EDGE_RATE_LIMIT_BURST: int(0, 10_000_000, ' (requests; 0: twice the rate)'),
  EDGE_LINGER_MS: int(0, 600_000, ' (milliseconds; 0: close at once)'),
  EDGE_LINGER_IDLE_MS: int(1, 600_000, ' (milliseconds)'),
  EDGE_TUNNEL_IDLE_TIMEOUT_MS: int(0, 86_400_000, ' (milliseconds; 0: never)'),
  EDGE_METRICS_ALLOW: {
    type: 'string',
    description: 'comma-separated IP addresses, CIDRs, loopback, linklocal or uniquelocal',
  },
} as const;

/** What the schema guarantees once ajv has coerced the strings. */
interface Env {
  EDGE_HOST?: string;
  EDGE_PORT?: number;
  EDGE_STATIC_ROOT?: string;
  EDGE_WORKERS?: number;
  EDGE_HEADERS_TIMEOUT_MS?: number;
  EDGE_KEEPALIVE_TIMEOUT_MS?: number;
  EDGE_DRAIN_MS?: number;
  EDGE_SHUTDOWN_GRACE_MS?: number;
  EDGE_STATIC_CACHE_BYTES?: number;
  EDGE_STATIC_POLL_MS?: number;
  EDGE_STATIC_FAST_PATH?: boolean;
  EDGE_LOG_LEVEL?: LogLevel;
  EDGE_REQUEST_TIMEOUT_MS?: number;
  EDGE_UPSTREAM?: string;
  EDGE_TRUSTED_PROXIES?: string;
  EDGE_MAX_BODY_BYTES?: number;
  EDGE_UPSTREAM_CONNECT_TIMEOUT_MS?: number;
  EDGE_UPSTREAM_TIMEOUT_MS?: number;
  EDGE_RESOLVE_INTERVAL_MS?: number;
  EDGE_HEALTH_PATH?: string;
  EDGE_HEALTH_INTERVAL_MS?: number;
  EDGE_UPSTREAM_EJECT_MS?: number;
  EDGE_COMPRESS_MIN_BYTES?: number;
  EDGE_RATE_LIMIT_RPS?: number;
  EDGE_RATE_LIMIT_BURST?: number;
  EDGE_LINGER_MS?: number;
  EDGE_LINGER_IDLE_MS?: number;
  EDGE_TUNNEL_IDLE_TIMEOUT_MS?: number;
  EDGE_METRICS_ALLOW?: string;
}

export interface Config {
  /** The address the workers listen on. */
  host: string;
  port: number;
  staticRoot: string;
  workers: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How long `/_edge/healthz` says 503 while still serving, after SIGTERM. */
  drainMs: number;
  /** After the drain: how long in-flight requests may take before they are cut. */
  shutdownGraceMs: number;
  /** Memory bound of the in-memory table of the hashed set; 0 turns it off. */
  staticCacheBytes: number;
  /** Fallback `stat` of manifest.json, for volumes that deliver no inotify events. */
  staticPollMs: number;
  /** false: table hits go through Fastify's routing too (to measure what the fast path buys). */
  staticFastPath: boolean;
  logLevel: LogLevel;
  /** A client's whole request (head and body) must arrive within this (nginx: 60 s). */
  requestTimeoutMs: number;
  /** The reverse proxy's settings (src/proxy/README.md). */
  upstream: URL;
  trustedProxies: readonly string[];
  maxBodyBytes: number;
  upstreamConnectTimeoutMs: number;
  upstreamTimeoutMs: number;
  resolveIntervalMs: number;
  healthPath: string;
  healthIntervalMs: number;
  upstreamEjectMs: number;
  compressMinBytes: number;
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** After a refusal with the body unread (413): the most time spent draining it before closing. */
  lingerMs: number;
  /** …and how long the client may send nothing before the edge closes anyway. */
  lingerIdleMs: number;
  /** A WebSocket tunnel with no byte either way for this long is closed; 0: never. */
  tunnelIdleMs: number;
  /** Peers allowed to read `/_edge/metrics` (addresses, CIDRs, range names); others get 403. */
  metricsAllow: readonly string[];
}

/** Defaults: nginx's where it has one (the root README, "Contracts between the containers"). */
export const DEFAULTS = Object.freeze({
  // All interfaces: right in a container; a laptop may say 127.0.0.1.
  host: '0.0.0.0',
  port: 8080,
  staticRoot: '/srv/static',
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 75_000,
  drainMs: 0,
  // Fits inside `docker stop`'s 10 s before its SIGKILL.
  shutdownGraceMs: 8000,
  staticCacheBytes: 64 * 1024 * 1024,
  staticPollMs: 2000,
  staticFastPath: true,
  logLevel: 'info' as LogLevel,
  requestTimeoutMs: 60_000,
  upstream: 'http://app:3000',
  maxBodyBytes: PROXY_DEFAULTS.maxBodyBytes,
  upstreamConnectTimeoutMs: PROXY_DEFAULTS.connectTimeoutMs,
  upstreamTimeoutMs: PROXY_DEFAULTS.upstreamTimeoutMs,
  resolveIntervalMs: PROXY_DEFAULTS.resolveIntervalMs,
  healthPath: PROXY_DEFAULTS.healthPath,
  healthIntervalMs: PROXY_DEFAULTS.healthIntervalMs,
  upstreamEjectMs: PROXY_DEFAULTS.ejectMs,
  compressMinBytes: PROXY_DEFAULTS.compressMinBytes,
  rateLimitPerSecond: PROXY_DEFAULTS.rateLimitPerSecond,
  rateLimitBurst: PROXY_DEFAULTS.rateLimitBurst,
  lingerMs: PROXY_DEFAULTS.lingerMs,
  lingerIdleMs: PROXY_DEFAULTS.lingerIdleMs,
  tunnelIdleMs: PROXY_DEFAULTS.tunnelIdleMs,
  // The metrics name every replica's address: the compose network and the
  // host (Docker's published port arrives from the bridge's gateway). Where
  // clients too arrive from private addresses (a load balancer, rootless
  // Docker), narrow it (README, "Metrics").
  metricsAllow: ['loopback', 'uniquelocal'] as readonly string[],
});

export { ConfigError } from '@stack/shared/settings';

const readEnv = settingsReader<Env>({ type: 'object', properties: PROPERTIES });

/**
 * Validates `env` and returns the settings. Empty values count as unset, so
 * `EDGE_PORT=` in a compose file means "the default".
 */
export function loadConfig(env: NodeJS.ProcessEnv): Readonly<Config> {
  const settings = readEnv(env);
  const staticRoot = resolve(settings.EDGE_STATIC_ROOT ?? DEFAULTS.staticRoot);
  // A typo in the volume path would otherwise answer 404 forever: fail at start.
  if (!isDirectory(staticRoot)) {
    throw invalid('EDGE_STATIC_ROOT', `${staticRoot} is not a readable directory`);
  }
  const headersTimeoutMs = settings.EDGE_HEADERS_TIMEOUT_MS ?? DEFAULTS.headersTimeoutMs;
  const requestTimeoutMs = settings.EDGE_REQUEST_TIMEOUT_MS ?? DEFAULTS.requestTimeoutMs;
  // node:http refuses a headers timeout longer than the request timeout.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw invalid(
      'EDGE_HEADERS_TIMEOUT_MS',
      `must not exceed EDGE_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }
  const trustedProxies = addressList('EDGE_TRUSTED_PROXIES', settings.EDGE_TRUSTED_PROXIES, []);
  const metricsAllow = addressList(
    'EDGE_METRICS_ALLOW',
    settings.EDGE_METRICS_ALLOW,
    DEFAULTS.metricsAllow,
  );
  const host = settings.EDGE_HOST ?? DEFAULTS.host;
  if (isIP(host) === 0)
    throw invalid('EDGE_HOST', `must be an IP address, not ${JSON.stringify(host)}`);
  return Object.freeze({
    host,
    port: settings.EDGE_PORT ?? DEFAULTS.port,
    staticRoot,
    workers: settings.EDGE_WORKERS ?? availableParallelism(),
    headersTimeoutMs,
    keepAliveTimeoutMs: settings.EDGE_KEEPALIVE_TIMEOUT_MS ?? DEFAULTS.keepAliveTimeoutMs,
    drainMs: settings.EDGE_DRAIN_MS ?? DEFAULTS.drainMs,
    shutdownGraceMs: settings.EDGE_SHUTDOWN_GRACE_MS ?? DEFAULTS.shutdownGraceMs,
    staticCacheBytes: settings.EDGE_STATIC_CACHE_BYTES ?? DEFAULTS.staticCacheBytes,
    staticPollMs: settings.EDGE_STATIC_POLL_MS ?? DEFAULTS.staticPollMs,
    staticFastPath: settings.EDGE_STATIC_FAST_PATH ?? DEFAULTS.staticFastPath,
    logLevel: settings.EDGE_LOG_LEVEL ?? DEFAULTS.logLevel,
    requestTimeoutMs,
    upstream: upstreamUrl(settings.EDGE_UPSTREAM ?? DEFAULTS.upstream),
    trustedProxies: Object.freeze(trustedProxies),
    maxBodyBytes: settings.EDGE_MAX_BODY_BYTES ?? DEFAULTS.maxBodyBytes,
    upstreamConnectTimeoutMs:
      settings.EDGE_UPSTREAM_CONNECT_TIMEOUT_MS ?? DEFAULTS.upstreamConnectTimeoutMs,
    upstreamTimeoutMs: settings.EDGE_UPSTREAM_TIMEOUT_MS ?? DEFAULTS.upstreamTimeoutMs,
    resolveIntervalMs: settings.EDGE_RESOLVE_INTERVAL_MS ?? DEFAULTS.resolveIntervalMs,
    healthPath: settings.EDGE_HEALTH_PATH ?? DEFAULTS.healthPath,
    healthIntervalMs: settings.EDGE_HEALTH_INTERVAL_MS ?? DEFAULTS.healthIntervalMs,
    upstreamEjectMs: settings.EDGE_UPSTREAM_EJECT_MS ?? DEFAULTS.upstreamEjectMs,
    compressMinBytes: settings.EDGE_COMPRESS_MIN_BYTES ?? DEFAULTS.compressMinBytes,
    rateLimitPerSecond: settings.EDGE_RATE_LIMIT_RPS ?? DEFAULTS.rateLimitPerSecond,
    rateLimitBurst: settings.EDGE_RATE_LIMIT_BURST ?? DEFAULTS.rateLimitBurst,
    lingerMs: settings.EDGE_LINGER_MS ?? DEFAULTS.lingerMs,
    lingerIdleMs: settings.EDGE_LINGER_IDLE_MS ?? DEFAULTS.lingerIdleMs,
    tunnelIdleMs: settings.EDGE_TUNNEL_IDLE_TIMEOUT_MS ?? DEFAULTS.tunnelIdleMs,
    metricsAllow,
  });
}

/** A comma-separated address list, each entry checked (`@stack/shared`'s grammar, the app's too). */
function addressList(
  name: string,
  value: string | undefined,
  fallback: readonly string[],
): readonly string[] {
  if (value === undefined) return fallback;
  return addressListSetting(name, value);
}

/** `http://host:port` only: the proxy speaks plain HTTP/1.1 to the app replicas. */
function upstreamUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('EDGE_UPSTREAM', `must be an http:// URL, not ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' || url.hostname === '') {
    throw invalid('EDGE_UPSTREAM', `must be an http:// URL, not ${JSON.stringify(value)}`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '') {
    throw invalid('EDGE_UPSTREAM', 'must be scheme, host and port only (no path, query or user)');
  }
  return url;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
