/**
 * The app's settings: read from the environment once at start, validated
 * against one schema, returned as a frozen object. A bad or missing setting
 * throws a {@link ConfigError} whose message is the single line `main.ts`
 * prints before exiting 1 (DESIGN.md, "Contracts").
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Ajv } from 'ajv';
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
  APP_DRAIN_MS: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    default: 5000,
    description: 'an integer 0-600000 (milliseconds)',
  }),
  APP_TRUSTED_PROXIES: Type.String({
    default: '',
    description: 'a comma-separated list of addresses or CIDRs',
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
type SettingName = keyof Env;

/** What `pg` needs to reach the database: a URL, or the parts. */
export type DatabaseConnection =
  | { connectionString: string }
  | { host: string; port: number; user: string; database: string; password?: string };

export interface Config {
  port: number;
  database: DatabaseConnection;
  dbPoolMax: number;
  dbConnectTimeoutMs: number;
  /** Addresses/CIDRs whose `X-Forwarded-*` headers are believed; empty: none. */
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

export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

function invalid(setting: string, reason: string): ConfigError {
  return new ConfigError(setting, `invalid setting ${setting}: ${reason}`);
}

function missing(setting: string, reason: string): ConfigError {
  return new ConfigError(setting, `missing setting ${setting}: ${reason}`);
}

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false });
const validateEnv = ajv.compile<Env>(EnvSchema);
const SETTINGS = Object.keys(EnvSchema.properties) as SettingName[];

/**
 * Validates `env` and returns the settings. Empty values count as unset, so
 * `APP_PORT=` in a compose file means "the default", not "port zero".
 */
export function loadConfig(env: NodeJS.ProcessEnv): Readonly<Config> {
  const input: Record<string, unknown> = {};
  for (const name of SETTINGS) {
    const value = env[name];
    if (value !== undefined && value !== '') input[name] = value;
  }
  if (!validateEnv(input)) {
    const [error] = validateEnv.errors ?? [];
    const name = (error?.instancePath.slice(1) ?? '') as SettingName;
    throw invalid(name || 'unknown', `must be ${describe(name)}`);
  }
  const settings = input;
  return Object.freeze({
    port: settings.APP_PORT,
    database: databaseConnection(settings),
    dbPoolMax: settings.APP_DB_POOL_MAX,
    dbConnectTimeoutMs: settings.APP_DB_CONNECT_TIMEOUT_MS,
    trustedProxies: Object.freeze(trustedProxies(settings.APP_TRUSTED_PROXIES)),
    drainMs: settings.APP_DRAIN_MS,
    logLevel: settings.APP_LOG_LEVEL,
    version: settings.APP_VERSION ?? pkg.version,
    env: settings.APP_ENV ?? 'production',
  });
}

function describe(name: string): string {
  const schema: object | undefined = (EnvSchema.properties as Record<string, object>)[name];
  return schema && 'description' in schema && typeof schema.description === 'string'
    ? schema.description
    : 'valid';
}

function secret(settings: Env, name: 'DATABASE_URL' | 'PGPASSWORD'): string | undefined {
  const fileSetting = `${name}_FILE` as const;
  const path = settings[fileSetting];
  if (path === undefined) return settings[name];
  if (settings[name] !== undefined) {
    throw invalid(fileSetting, `set either ${name} or ${fileSetting}, not both`);
  }
  try {
    // A trailing newline is an editor's, not part of the secret.
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw invalid(fileSetting, `cannot read ${path} (${code})`);
  }
}

function databaseConnection(settings: Env): DatabaseConnection {
  const url = secret(settings, 'DATABASE_URL');
  if (url !== undefined) {
    const name = settings.DATABASE_URL_FILE ? 'DATABASE_URL_FILE' : 'DATABASE_URL';
    // The URL holds a password: the message says what is wrong, never the value.
    if (!URL.canParse(url) || !['postgres:', 'postgresql:'].includes(new URL(url).protocol)) {
      throw invalid(name, 'must be a postgres:// or postgresql:// URL');
    }
    return { connectionString: url };
  }
  if (settings.PGHOST === undefined) {
    throw missing('PGHOST', 'set DATABASE_URL, or PGHOST and the other PG* parts');
  }
  const user = settings.PGUSER;
  const password = secret(settings, 'PGPASSWORD');
  return {
    host: settings.PGHOST,
    port: settings.PGPORT,
    user,
    // libpq's rule: the database defaults to the user's name.
    database: settings.PGDATABASE ?? user,
    ...(password === undefined ? {} : { password }),
  };
}

// proxy-addr (Fastify's trustProxy) also accepts these names for ranges.
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustedProxies(list: string): string[] {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (!isProxyEntry(entry)) {
      throw invalid('APP_TRUSTED_PROXIES', `"${entry}" is not an address, a CIDR or a range name`);
    }
  }
  return entries;
}

function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/** For entry points: the settings, or the one line naming the bad one and exit 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv): Readonly<Config> {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
