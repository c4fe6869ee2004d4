/**
 * Every edge setting, once: its environment variable, what it accepts (the
 * validation), its default and one line for people. config.ts reads them
 * and adds the checks that span settings; the typed `Config`, the proxy's
 * options and defaults, and the README's settings table (`npm run
 * settings:docs`) are all derived from this list. To add a setting: one
 * entry here (or in settings-tls.ts for HTTPS), then `npm run settings:docs`.
 *
 * Defaults are nginx's where it has one (the root README, "Contracts
 * between the containers").
 */
import { availableParallelism } from 'node:os';
// The subpath, not the package root: the primary loads this file, and it
// imports only what it needs (../README.md, "What each choice cost or bought").
import {
  boolean,
  bytes,
  computed,
  integer,
  LOG_LEVELS,
  type LogLevel,
  milliseconds,
  oneOf,
  setting,
  text,
} from '@stack/shared/setting-entries';

import { TLS_SETTINGS } from './settings-tls.ts';

export { LOG_LEVELS, type LogLevel };

const ADDRESS_LIST = 'comma-separated IP addresses, CIDRs, loopback, linklocal or uniquelocal';

export const SETTINGS = {
  host: setting({
    env: 'EDGE_HOST',
    format: text('an IP address to listen on (0.0.0.0, ::, 127.0.0.1)'),
    // All interfaces: right in a container; a laptop may say 127.0.0.1.
    default: '0.0.0.0',
    doc: "the address the workers listen on (`127.0.0.1` stays on a laptop's loopback)",
  }),
  port: setting({
    env: 'EDGE_PORT',
    format: integer(0, 65535),
    default: 8080,
    doc: 'listening port',
  }),
  staticRoot: setting({
    env: 'EDGE_STATIC_ROOT',
    format: text('a directory path', { minLength: 1 }),
    default: '/srv/static',
    doc: 'the collectstatic volume, read-only; must exist',
  }),
  mediaRoot: setting({
    env: 'EDGE_MEDIA_ROOT',
    format: text('a directory path'),
    default: '',
    doc: "user uploads served under `/media/` (Django's `MEDIA_ROOT`), read-only; empty: `/media/` is the app's",
  }),
  protectedRoot: setting({
    env: 'EDGE_PROTECTED_ROOT',
    format: text('a directory path'),
    default: '',
    doc: "files the app hands out with `X-Accel-Redirect: /_protected/<path>` after its own permission check (nginx's `internal` location), read-only; never served to a direct request",
  }),
  workers: setting({
    env: 'EDGE_WORKERS',
    format: integer(1, 256),
    default: computed('the CPU count', availableParallelism),
    doc: 'worker processes sharing the port (node:cluster)',
  }),
  headersTimeoutMs: setting({
    env: 'EDGE_HEADERS_TIMEOUT_MS',
    // Node refuses a headers timeout above its request timeout (300 s).
    format: milliseconds(1, 300_000),
    default: 10_000,
    doc: "a client's request head must arrive within this (408); at most `EDGE_REQUEST_TIMEOUT_MS`",
  }),
  keepAliveTimeoutMs: setting({
    env: 'EDGE_KEEPALIVE_TIMEOUT_MS',
    format: milliseconds(1, 3_600_000),
    default: 75_000,
    doc: "idle keep-alive connections close after this (nginx's default)",
  }),
  drainMs: setting({
    env: 'EDGE_DRAIN_MS',
    format: milliseconds(0, 600_000),
    default: 0,
    doc: 'after SIGTERM: `/_edge/healthz` says 503 and serving goes on this long',
  }),
  shutdownGraceMs: setting({
    env: 'EDGE_SHUTDOWN_GRACE_MS',
    format: milliseconds(0, 600_000),
    // Fits inside `docker stop`'s 10 s before its SIGKILL.
    default: 8000,
    doc: 'then: requests in flight may finish within this, or are cut (exit 1)',
  }),
  staticCacheBytes: setting({
    env: 'EDGE_STATIC_CACHE_BYTES',
    format: bytes(0, 8 * 1024 ** 3),
    default: 64 * 1024 ** 2,
    doc: 'bodies the in-memory table of the hashed set may hold per worker; beyond it, the disk; `0`: no table',
  }),
  staticPollMs: setting({
    env: 'EDGE_STATIC_POLL_MS',
    format: milliseconds(50, 3_600_000),
    default: 2000,
    doc: '`stat` of manifest.json, for volumes that deliver no inotify events',
  }),
  staticFastPath: setting({
    env: 'EDGE_STATIC_FAST_PATH',
    format: boolean(),
    default: true,
    doc: '`false` routes table hits through Fastify too (to measure what the fast path buys)',
  }),
  logLevel: setting({
    env: 'EDGE_LOG_LEVEL',
    format: oneOf(LOG_LEVELS),
    default: 'info',
    doc: 'pino level; access-log lines are `info`',
  }),
  requestTimeoutMs: setting({
    env: 'EDGE_REQUEST_TIMEOUT_MS',
    format: milliseconds(1, 3_600_000),
    default: 60_000,
    doc: "a client's whole request, body included (nginx's `client_body_timeout` is 60 s)",
  }),
  upstream: setting({
    env: 'EDGE_UPSTREAM',
    format: text('an http:// URL', { minLength: 1 }),
    default: 'http://app:3000',
    doc: 'the app replicas: `http://host:port` only; the host name is re-resolved while running',
  }),
  trustedProxies: setting({
    env: 'EDGE_TRUSTED_PROXIES',
    format: text(ADDRESS_LIST),
    default: '',
    doc: "peers whose `X-Forwarded-*` are extended (address list, below); empty: a client's are replaced",
  }),
  maxBodyBytes: setting({
    env: 'EDGE_MAX_BODY_BYTES',
    format: bytes(0, 2 ** 40, '0: no limit'),
    default: 1024 ** 2,
    doc: "request body limit (413; nginx's `client_max_body_size`)",
  }),
  uploadPaths: setting({
    env: 'EDGE_UPLOAD_PATHS',
    format: text('comma-separated path prefixes (/uploads,/api/photos)'),
    default: '',
    doc: 'requests under these paths (whole segments) take `EDGE_UPLOAD_MAX_BODY_BYTES` instead of `EDGE_MAX_BODY_BYTES`',
  }),
  uploadMaxBodyBytes: setting({
    env: 'EDGE_UPLOAD_MAX_BODY_BYTES',
    format: bytes(0, 2 ** 40, '0: no limit'),
    default: 10 * 1024 ** 2,
    doc: 'request body limit on `EDGE_UPLOAD_PATHS` (413 before the app sees the body)',
  }),
  upstreamConnectTimeoutMs: setting({
    env: 'EDGE_UPSTREAM_CONNECT_TIMEOUT_MS',
    format: milliseconds(1, 600_000),
    default: 5000,
    doc: 'TCP connect to an upstream address (then 504 `upstream_timeout`)',
  }),
  upstreamTimeoutMs: setting({
    env: 'EDGE_UPSTREAM_TIMEOUT_MS',
    format: milliseconds(1, 3_600_000),
    default: 60_000,
    doc: "the upstream's response head, and between body chunks (504)",
  }),
  resolveIntervalMs: setting({
    env: 'EDGE_RESOLVE_INTERVAL_MS',
    format: milliseconds(0, 3_600_000, '0: only on failures'),
    default: 2000,
    doc: 're-resolution of the upstream host name; `0`: only after connection failures',
  }),
  healthPath: setting({
    env: 'EDGE_HEALTH_PATH',
    format: text('a path starting with /', { pattern: '^/[^\\s]*$' }),
    default: '/readyz',
    doc: 'polled on every upstream address',
  }),
  healthIntervalMs: setting({
    env: 'EDGE_HEALTH_INTERVAL_MS',
    format: milliseconds(0, 3_600_000, '0: no active checks'),
    default: 1000,
    doc: 'how often; `0` turns active health checks off',
  }),
  upstreamEjectMs: setting({
    env: 'EDGE_UPSTREAM_EJECT_MS',
    format: milliseconds(1, 3_600_000),
    default: 2000,
    doc: 'first back-off of an address that refused or reset (doubles per failure, up to 8×)',
  }),
  compressMinBytes: setting({
    env: 'EDGE_COMPRESS_MIN_BYTES',
    format: bytes(0, 2 ** 31, '0: no compression'),
    // Below ~1 KiB gzip's header and dictionary cost more than they save.
    default: 1024,
    doc: 'smallest proxied response gzip/br-compressed',
  }),
  rateLimitPerSecond: setting({
    env: 'EDGE_RATE_LIMIT_RPS',
    format: integer(0, 1_000_000, 'requests per second; 0: off'),
    default: 0,
    doc: 'requests per second per client address, per worker (429 with `Retry-After`)',
  }),
  rateLimitBurst: setting({
    env: 'EDGE_RATE_LIMIT_BURST',
    format: integer(0, 10_000_000, 'requests; 0: twice the rate'),
    default: 0,
    doc: "the rate limit's bucket size",
  }),
  lingerMs: setting({
    env: 'EDGE_LINGER_MS',
    format: milliseconds(0, 600_000, '0: close at once'),
    default: 30_000,
    doc: "a refusal (413) sent with the body unread: reading and dropping it lasts at most this (nginx's `lingering_time`)",
  }),
  lingerIdleMs: setting({
    env: 'EDGE_LINGER_IDLE_MS',
    format: milliseconds(1, 600_000),
    default: 5000,
    doc: "…and stops once the client sent nothing for this long (nginx's `lingering_timeout`)",
  }),
  tunnelIdleMs: setting({
    env: 'EDGE_TUNNEL_IDLE_TIMEOUT_MS',
    format: milliseconds(0, 86_400_000, '0: never'),
    default: 60_000,
    doc: "a WebSocket tunnel with no byte either way for this long is closed (nginx's `proxy_read_timeout`)",
  }),
  cache: setting({
    env: 'EDGE_CACHE',
    format: oneOf(['on', 'off'] as const),
    // On costs nothing the app did not ask for: only responses it marks
    // shareable (s-maxage, public, max-age, Expires) are stored.
    default: 'on',
    doc: 'the shared cache of proxied GET/HEAD answers (RFC 9111, `src/cache/`); stores only what the app marks shareable',
  }),
  cacheBytes: setting({
    env: 'EDGE_CACHE_BYTES',
    format: bytes(0, 8 * 1024 ** 3),
    default: 32 * 1024 ** 2,
    doc: 'bytes the cache may hold per worker (bodies and fields); least recently used entries go first',
  }),
  cacheMaxEntryBytes: setting({
    env: 'EDGE_CACHE_MAX_ENTRY_BYTES',
    format: bytes(0, 2 ** 31),
    default: 1024 ** 2,
    doc: 'largest body stored; a larger one streams through unstored, never buffered whole',
  }),
  cacheLockMs: setting({
    env: 'EDGE_CACHE_LOCK_MS',
    format: milliseconds(0, 600_000, '0: no coalescing'),
    // nginx's proxy_cache_lock_timeout.
    default: 5000,
    doc: 'concurrent misses of one key wait this long for the first to fill it, then go upstream themselves',
  }),
  metricsAllow: setting({
    env: 'EDGE_METRICS_ALLOW',
    format: text(ADDRESS_LIST),
    // Every replica's address is in the metrics: the compose network and
    // the host (Docker's published port arrives from the bridge's gateway)
    // may read them. Where clients too arrive from private addresses (a
    // load balancer, rootless Docker), narrow it (README, "Metrics").
    default: 'loopback,uniquelocal',
    doc: 'peers that may read `/_edge/metrics` (address list, below); others get 403',
  }),
  // HTTPS, HTTP/2 and where the certificates come from: settings-tls.ts.
  ...TLS_SETTINGS,
};
