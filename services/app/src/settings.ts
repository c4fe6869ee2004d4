/**
 * Every app setting, once: its environment variable, what it accepts (the
 * validation), its default and one line for people. config.ts reads them
 * and adds what spans settings (the database connection, the secrets);
 * the typed `Config` and the README's settings table (`npm run
 * settings:docs`) are derived from these lists. To add a setting: one entry
 * here, then `npm run settings:docs`.
 */
import {
  boolean,
  bytes,
  computed,
  integer,
  LOG_LEVELS,
  milliseconds,
  oneOf,
  setting,
  text,
} from '@stack/shared/setting-entries';
import pkg from '../package.json' with { type: 'json' };

/** One `Config` field each. */
export const APP_SETTINGS = {
  port: setting({
    env: 'APP_PORT',
    format: integer(1, 65535),
    default: 3000,
    doc: 'port to listen on (always on `0.0.0.0`)',
  }),
  dbPoolMax: setting({
    env: 'APP_DB_POOL_MAX',
    format: integer(1, 1000),
    default: 10,
    doc: 'connections in this process\'s pool (README, "Pool sizing")',
  }),
  dbConnectTimeoutMs: setting({
    env: 'APP_DB_CONNECT_TIMEOUT_MS',
    format: milliseconds(1, 600_000),
    default: 5000,
    doc: 'how long a request waits for a connection before 503',
  }),
  dbStatementTimeoutMs: setting({
    env: 'APP_DB_STATEMENT_TIMEOUT_MS',
    format: milliseconds(0, 3_600_000),
    default: 10_000,
    doc: "PostgreSQL cancels a request's statement after this (`0`: never), so a table locked by a migration answers `503 db_unavailable` before the edge's 504",
  }),
  dbWaitMs: setting({
    env: 'APP_DB_WAIT_MS',
    format: milliseconds(0, 600_000),
    default: 0,
    doc: '`migrate` only: how long to wait for the database to accept connections (a wrong password fails at once); the Swarm overlay sets 120000',
  }),
  drainMs: setting({
    env: 'APP_DRAIN_MS',
    format: milliseconds(0, 600_000),
    default: 5000,
    doc: 'after SIGTERM, how long to keep serving while `/readyz` says 503',
  }),
  trustedProxies: setting({
    env: 'APP_TRUSTED_PROXIES',
    format: text('a comma-separated list of addresses, CIDRs, loopback, linklocal or uniquelocal'),
    default: '',
    doc: "peers whose `X-Forwarded-*` is believed, an address list as the edge's `EDGE_TRUSTED_PROXIES` (services/shared/README.md); empty trusts nobody",
  }),
  logLevel: setting({
    env: 'APP_LOG_LEVEL',
    format: oneOf(LOG_LEVELS),
    default: 'info',
    doc: 'pino level of the request log and the rest',
  }),
  version: setting({
    env: 'APP_VERSION',
    format: text('a version label'),
    default: computed('`version` of package.json', () => pkg.version),
    doc: 'what `/healthz` reports (set it to the image tag)',
  }),
  env: setting({
    env: 'APP_ENV',
    format: oneOf(['production', 'development'], 'production or development'),
    default: 'production',
    doc: '`production` renders with the static set baked into the image (`dist/static`); `development` builds it from `static/` at start, so edits show on restart',
  }),
  mediaRoot: setting({
    env: 'APP_MEDIA_ROOT',
    format: text('an absolute path'),
    default: '',
    doc: 'where uploaded images are written (compose: the `media` volume, read-only for the edge); empty: an entry with an image is refused 503 `uploads_disabled`',
  }),
  mediaMaxBytes: setting({
    env: 'APP_MEDIA_MAX_BYTES',
    format: bytes(1, 2 ** 30),
    default: 8 * 1024 ** 2,
    doc: "largest image accepted, as uploaded (413 `file_too_large`); keep the edge's `EDGE_UPLOAD_MAX_BODY_BYTES` a little above it",
  }),
  mediaMaxPixels: setting({
    env: 'APP_MEDIA_MAX_PIXELS',
    format: integer(1, 2 ** 28),
    default: 40_000_000,
    doc: 'largest image accepted in width × height, read from the header before decoding, so a decompression bomb is refused (422 `image_too_large`)',
  }),
  mediaSweepGraceMs: setting({
    env: 'APP_MEDIA_SWEEP_GRACE_MS',
    format: milliseconds(1000, 7 * 24 * 3_600_000),
    default: 3_600_000,
    doc: 'a stored file no entry names is deleted by the sweeper once it is this old (a file whose row never committed)',
  }),
};

/** Together, `Config.database`. */
export const DATABASE_SETTINGS = {
  // The explicit development mode for secrets: compose.yaml turns it on for
  // the two-command start; compose.swarm.yaml does not.
  allowDevSecrets: setting({
    env: 'APP_ALLOW_DEV_SECRETS',
    format: boolean(),
    default: false,
    doc: '`true` accepts a committed placeholder password (`dev-only-…`, as in `docker/dev-secrets/`), which the app and migrate otherwise refuse at start; `APP_ENV=development` allows it too',
  }),
  databaseUrl: setting({
    env: 'DATABASE_URL',
    format: text('a postgres:// URL'),
    doc: '`postgres://user:password@host:port/database`; wins over the `PG*` parts',
  }),
  databaseUrlFile: setting({
    env: 'DATABASE_URL_FILE',
    format: text('a path to a file'),
    doc: 'a file holding `DATABASE_URL` (a Docker secret); not with `DATABASE_URL`',
  }),
  pgHost: setting({
    env: 'PGHOST',
    format: text('a host name or address'),
    doc: 'database host, required when `DATABASE_URL` is unset',
  }),
  pgPort: setting({
    env: 'PGPORT',
    format: integer(1, 65535),
    default: 5432,
    doc: 'database port',
  }),
  pgUser: setting({
    env: 'PGUSER',
    format: text('a user name'),
    default: 'postgres',
    doc: 'database user',
  }),
  pgDatabase: setting({
    env: 'PGDATABASE',
    format: text('a database name'),
    // config.ts fills it in: libpq's rule.
    default: computed("`$PGUSER` (libpq's rule)"),
    doc: 'database name',
  }),
  pgPassword: setting({
    env: 'PGPASSWORD',
    format: text('a password'),
    doc: 'the password; not with `PGPASSWORD_FILE`',
  }),
  pgPasswordFile: setting({
    env: 'PGPASSWORD_FILE',
    format: text('a path to a file'),
    doc: 'a file holding the password (a Docker secret); not with `PGPASSWORD`',
  }),
};

/** Every setting, in the order they are checked: the README's table. */
export const SETTINGS = { ...APP_SETTINGS, ...DATABASE_SETTINGS };
