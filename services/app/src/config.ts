/**
 * The app's settings: read from the environment once at start, validated
 * against one schema, returned as a frozen object. A bad or missing setting
 * throws a {@link ConfigError} whose message is the single line `main.ts`
 * prints before exiting 1 (the root README, "Contracts between the containers"); the machinery is
 * `@stack/shared`'s settings.ts, the edge's too.
 */
import {
  addressListSetting,
  invalid,
  loadOrExit,
  missing,
  readSecret,
  refusePlaceholderSecret,
  settingsReader,
} from '@stack/shared';
import { type Static, Type } from 'typebox';
import pkg from '../package.json' with { type: 'json' };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// Every property carries `description`, worded to follow "must be", so an
// error names the setting and what it accepts whatever ajv keyword failed.
// Settings with a default are required: ajv's useDefaults fills them in
// before `required` is checked, so the type says they are always there.
const EnvSchema = Type.Object({
  APP_PORT: Type.Integer({
    minimum: 1,
    maximum: 65535,
    default: 3000,
    description: 'an integer 1-65535',
  }),
  APP_DB_POOL_MAX: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 10,
    description: 'an integer 1-1000',
  }),
  APP_DB_CONNECT_TIMEOUT_MS: Type.Integer({
    minimum: 1,
    maximum: 600_000,
    default: 5000,
    description: 'an integer 1-600000 (milliseconds)',
  }),
  APP_DB_STATEMENT_TIMEOUT_MS: Type.Integer({
    minimum: 0,
    maximum: 3_600_000,
    default: 10_000,
    description: 'an integer 0-3600000 (milliseconds)',
  }),
  APP_DB_WAIT_MS: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    default: 0,
    description: 'an integer 0-600000 (milliseconds)',
  }),
  APP_DRAIN_MS: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    default: 5000,
    description: 'an integer 0-600000 (milliseconds)',
  }),
  APP_TRUSTED_PROXIES: Type.String({
    default: '',
    description: 'a comma-separated list of addresses, CIDRs, loopback, linklocal or uniquelocal',
  }),
  APP_LOG_LEVEL: Type.Union(
    LOG_LEVELS.map((level) => Type.Literal(level)),
    { default: 'info', description: `one of ${LOG_LEVELS.join(', ')}` },
  ),
  APP_VERSION: Type.Optional(Type.String({ description: 'a version label' })),
  APP_ENV: Type.Optional(
    Type.Union([Type.Literal('production'), Type.Literal('development')], {
      default: 'production',
      description: 'production or development',
    }),
  ),
  // The explicit development mode for secrets: a committed placeholder
  // password (docker/dev-secrets/) is refused unless this is true or
  // APP_ENV is development. compose.yaml turns it on for the two-command
  // start; compose.swarm.yaml does not.
  APP_ALLOW_DEV_SECRETS: Type.Boolean({ default: false, description: 'true or false' }),
  DATABASE_URL: Type.Optional(Type.String({ description: 'a postgres:// URL' })),
  DATABASE_URL_FILE: Type.Optional(Type.String({ description: 'a path to a file' })),
  PGHOST: Type.Optional(Type.String({ description: 'a host name or address' })),
  PGPORT: Type.Integer({
    minimum: 1,
    maximum: 65535,
    default: 5432,
    description: 'an integer 1-65535',
  }),
  PGUSER: Type.String({ default: 'postgres', description: 'a user name' }),
  PGDATABASE: Type.Optional(Type.String({ description: 'a database name' })),
  PGPASSWORD: Type.Optional(Type.String({ description: 'a password' })),
  PGPASSWORD_FILE: Type.Optional(Type.String({ description: 'a path to a file' })),
});
type Env = Static<typeof EnvSchema>;

/** What `pg` needs to reach the database: a URL, or the parts. */
export type DatabaseConnection =
  | { connectionString: string }
  | { host: string; port: number; user: string; database: string; password?: string };

export interface Config {
  port: number;
  database: DatabaseConnection;
  dbPoolMax: number;
  dbConnectTimeoutMs: number;
  /**
   * PostgreSQL cancels a request's statement after this (0: never), so a
   * table locked by a migration or an overloaded server answers 503 in
   * seconds, well before the edge's EDGE_UPSTREAM_TIMEOUT_MS turns it into 504.
   */
  dbStatementTimeoutMs: number;
  /** How long `migrate` waits for the database to accept connections (0: not at all). */
  dbWaitMs: number;
  /** Addresses, CIDRs and range names (as written) whose `X-Forwarded-*` headers are believed; empty: none. */
  trustedProxies: readonly string[];
  drainMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  version: string;
  /**
   * `development` builds the static set from the sources at start (so edits
   * show on restart); `production` uses the set baked into the image, the
   * one the collectstatic one-shot copied to the edge.
   */
  env: 'production' | 'development';
}

export { ConfigError } from '@stack/shared';

const readEnv = settingsReader<Env>(EnvSchema);

/**
 * Validates `env` and returns the settings. Empty values count as unset, so
 * `APP_PORT=` in a compose file means "the default", not "port zero".
 */
export function loadConfig(env: NodeJS.ProcessEnv): Readonly<Config> {
  const settings = readEnv(env);
  return Object.freeze({
    port: settings.APP_PORT,
    database: databaseConnection(settings),
    dbPoolMax: settings.APP_DB_POOL_MAX,
    dbConnectTimeoutMs: settings.APP_DB_CONNECT_TIMEOUT_MS,
    dbStatementTimeoutMs: settings.APP_DB_STATEMENT_TIMEOUT_MS,
    dbWaitMs: settings.APP_DB_WAIT_MS,
    trustedProxies: addressListSetting('APP_TRUSTED_PROXIES', settings.APP_TRUSTED_PROXIES),
    drainMs: settings.APP_DRAIN_MS,
    logLevel: settings.APP_LOG_LEVEL,
    version: settings.APP_VERSION ?? pkg.version,
    env: settings.APP_ENV ?? 'production',
  });
}

function databaseConnection(settings: Env): DatabaseConnection {
  const placeholders = {
    allowed: settings.APP_ALLOW_DEV_SECRETS || settings.APP_ENV === 'development',
    howToAllow: 'set APP_ALLOW_DEV_SECRETS=true on a development machine',
  };
  const url = readSecret(settings, 'DATABASE_URL');
  if (url !== undefined) {
    const name = settings.DATABASE_URL_FILE ? 'DATABASE_URL_FILE' : 'DATABASE_URL';
    // The URL holds a password: the message says what is wrong, never the value.
    if (!URL.canParse(url) || !['postgres:', 'postgresql:'].includes(new URL(url).protocol)) {
      throw invalid(name, 'must be a postgres:// or postgresql:// URL');
    }
    refusePlaceholderSecret(name, passwordOf(url), placeholders);
    return { connectionString: url };
  }
  if (settings.PGHOST === undefined) {
    throw missing('PGHOST', 'set DATABASE_URL, or PGHOST and the other PG* parts');
  }
  const user = settings.PGUSER;
  const password = readSecret(settings, 'PGPASSWORD');
  const passwordSetting = settings.PGPASSWORD_FILE ? 'PGPASSWORD_FILE' : 'PGPASSWORD';
  refusePlaceholderSecret(passwordSetting, password, placeholders);
  return {
    host: settings.PGHOST,
    port: settings.PGPORT,
    user,
    // libpq's rule: the database defaults to the user's name.
    database: settings.PGDATABASE ?? user,
    ...(password === undefined ? {} : { password }),
  };
}

function passwordOf(url: string): string {
  const { password } = new URL(url);
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}

/** For entry points: the settings, or the one line naming the bad one and exit 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv): Readonly<Config> {
  return loadOrExit(() => loadConfig(env));
}
