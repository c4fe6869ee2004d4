/**
 * The app's settings as the processes use them: the entries of settings.ts
 * read from the environment once at start (each checked against what it
 * accepts), then what spans settings (the database connection, secrets,
 * placeholder passwords), returned as a frozen object. A bad or missing
 * setting throws a {@link ConfigError} whose message is the single line
 * `main.ts` prints before exiting 1 (the root README, "Contracts between
 * the containers"); the machinery is `@stack/shared`'s, the edge's too.
 */
import { isAbsolute } from 'node:path';
import {
  addressListSetting,
  invalid,
  loadOrExit,
  missing,
  readSecret,
  refusePlaceholderSecret,
} from '@stack/shared';
import { entriesReader, type Values } from '@stack/shared/setting-entries';
import { APP_SETTINGS, DATABASE_SETTINGS } from './settings.ts';

export { ConfigError } from '@stack/shared';

/** What `pg` needs to reach the database: a URL, or the parts. */
export type DatabaseConnection =
  | { connectionString: string }
  | { host: string; port: number; user: string; database: string; password?: string };

export type Config = Omit<Values<typeof APP_SETTINGS>, 'trustedProxies'> & {
  readonly database: DatabaseConnection;
  /** Addresses, CIDRs and range names, as written. */
  readonly trustedProxies: readonly string[];
};

type DatabaseSettings = Values<typeof DATABASE_SETTINGS>;

const readAppSettings = entriesReader(APP_SETTINGS);
const readDatabaseSettings = entriesReader(DATABASE_SETTINGS);

/**
 * Validates `env` and returns the settings. Empty values count as unset, so
 * `APP_PORT=` in a compose file means "the default", not "port zero".
 */
export function loadConfig(env: NodeJS.ProcessEnv): Readonly<Config> {
  const settings = readAppSettings(env);
  if (settings.mediaRoot !== '' && !isAbsolute(settings.mediaRoot)) {
    throw invalid('APP_MEDIA_ROOT', 'must be an absolute path');
  }
  const database = databaseConnection(readDatabaseSettings(env), settings.env);
  return Object.freeze({
    ...settings,
    database,
    trustedProxies: addressListSetting('APP_TRUSTED_PROXIES', settings.trustedProxies),
  });
}

function databaseConnection(settings: DatabaseSettings, mode: Config['env']): DatabaseConnection {
  const placeholders = {
    allowed: settings.allowDevSecrets || mode === 'development',
    howToAllow: 'set APP_ALLOW_DEV_SECRETS=true on a development machine',
  };
  const url = readSecret(
    { DATABASE_URL: settings.databaseUrl, DATABASE_URL_FILE: settings.databaseUrlFile },
    'DATABASE_URL',
  );
  if (url !== undefined) {
    const name = settings.databaseUrlFile ? 'DATABASE_URL_FILE' : 'DATABASE_URL';
    // The URL holds a password: the message says what is wrong, never the value.
    if (!URL.canParse(url) || !['postgres:', 'postgresql:'].includes(new URL(url).protocol)) {
      throw invalid(name, 'must be a postgres:// or postgresql:// URL');
    }
    refusePlaceholderSecret(name, passwordOf(url), placeholders);
    return { connectionString: url };
  }
  if (settings.pgHost === undefined) {
    throw missing('PGHOST', 'set DATABASE_URL, or PGHOST and the other PG* parts');
  }
  const user = settings.pgUser;
  const password = readSecret(
    { PGPASSWORD: settings.pgPassword, PGPASSWORD_FILE: settings.pgPasswordFile },
    'PGPASSWORD',
  );
  const passwordSetting = settings.pgPasswordFile ? 'PGPASSWORD_FILE' : 'PGPASSWORD';
  refusePlaceholderSecret(passwordSetting, password, placeholders);
  return {
    host: settings.pgHost,
    port: settings.pgPort,
    user,
    // libpq's rule: the database defaults to the user's name.
    database: settings.pgDatabase ?? user,
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
