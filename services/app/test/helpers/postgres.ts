/**
 * A real PostgreSQL 17 per test file (testcontainers). Ryuk cannot run on
 * these machines, so every file stops its container in `after`, which runs
 * even when a test fails.
 */
import { createServer } from 'node:net';
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import pg from 'pg';
import { type Config, loadConfig } from '../../src/config.ts';
import { runMigrations } from '../../src/db/migrations.ts';

export type Postgres = StartedPostgreSqlContainer;

// Seeded on these machines; never pulled (../shared/README.md).
const IMAGE = 'postgres:17';

/**
 * Starts PostgreSQL. With `fixedHostPort`, the container keeps its host
 * port across a stop and start, so an app built once can reach it again
 * (a random mapping may change on restart).
 */
export async function startPostgres(options: { fixedHostPort?: boolean } = {}): Promise<Postgres> {
  const container = new PostgreSqlContainer(IMAGE);
  if (options.fixedHostPort) {
    container.withExposedPorts({ container: 5432, host: await freePort() });
  }
  return container.start();
}

/** A port nothing listens on right now (the engine runs on this host). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** The connection URL of `database` (the container's own by default). */
export function databaseUrl(db: Postgres, database = db.getDatabase()): string {
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
  db: Postgres,
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

/** A fresh empty database in the same server, for a test that needs its own. */
export async function createDatabase(db: Postgres, name: string): Promise<void> {
  await withClient(db, (client) => client.query(`CREATE DATABASE "${name}"`));
}
