/**
 * A real PostgreSQL 17 for a test file (testcontainers). Under `npm run
 * test:unit` one server serves the whole run (global-postgres.ts) and each
 * file gets a database of its own in it; a test that stops or restarts its
 * server, or runs without that setup, gets a container of its own. Ryuk
 * cannot run on these machines, so every file releases what it took in
 * `after`, which runs even when a test fails.
 */
import { randomUUID } from 'node:crypto';
import { freePort } from '@stack/shared/testing';
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import pg from 'pg';
import { type Config, loadConfig } from '../../src/config.ts';
import { runMigrations } from '../../src/db/migrations.ts';
import { postgresContainer } from './postgres-container.ts';

/** A database to test against: its URL, its name, and `stop` to release it. */
export interface Postgres {
  getConnectionUri(): string;
  getDatabase(): string;
  stop(): Promise<unknown>;
}

/** A container of the test's own, for tests that stop or restart it. */
export type PostgresServer = StartedPostgreSqlContainer;

/** The run's shared server, set by global-postgres.ts. */
export const SHARED_URL_ENV = 'TEST_POSTGRES_URL';

/**
 * A database for one test file: a fresh one in the run's shared server, or
 * (with `fixedHostPort`, or without the shared server) a container of its own.
 */
export async function startPostgres(options: { fixedHostPort?: boolean } = {}): Promise<Postgres> {
  const shared = process.env[SHARED_URL_ENV];
  if (shared && !options.fixedHostPort) return databaseIn(shared);
  return startServer(options);
}

/** A database of its own in `serverUrl`'s server, dropped by `stop`. */
async function databaseIn(serverUrl: string): Promise<Postgres> {
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  const admin = { getConnectionUri: () => serverUrl, getDatabase: () => 'postgres' };
  await withClient(admin, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    getConnectionUri: () => url.toString(),
    getDatabase: () => name,
    stop: () =>
      withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

/**
 * A PostgreSQL container of the caller's own. With `fixedHostPort`, it
 * keeps its host port across a stop and start, so an app built once can
 * reach it again (a random mapping may change on restart).
 */
export async function startServer(
  options: { fixedHostPort?: boolean } = {},
): Promise<PostgresServer> {
  const container = postgresContainer();
  if (options.fixedHostPort) {
    container.withExposedPorts({ container: 5432, host: await freePort() });
  }
  return container.start();
}

export { freePort };

/** The connection URL of `database` (the container's own by default). */
export function databaseUrl(
  db: Pick<Postgres, 'getConnectionUri' | 'getDatabase'>,
  database = db.getDatabase(),
): string {
  const url = new URL(db.getConnectionUri());
  url.pathname = `/${database}`;
  return url.toString();
}

/** The environment `main.ts` and `migrate.ts` read, pointed at `db`. */
export function appEnv(db: Postgres, database?: string): Record<string, string> {
  return { DATABASE_URL: databaseUrl(db, database), APP_LOG_LEVEL: 'warn' };
}

export function appConfig(db: Postgres, env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({ ...appEnv(db), APP_LOG_LEVEL: 'silent', ...env });
}

const quiet = { info() {}, warn() {}, error() {} };

export async function migrate(db: Postgres, database?: string): Promise<string[]> {
  return runMigrations({ connectionString: databaseUrl(db, database) }, quiet);
}

/** Runs `fn` with a client of its own, closed afterwards. */
export async function withClient<T>(
  db: Pick<Postgres, 'getConnectionUri' | 'getDatabase'>,
  fn: (client: pg.Client) => Promise<T>,
  database?: string,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(db, database) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
