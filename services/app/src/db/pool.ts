import pg from 'pg';
import type { Config } from '../config.ts';

/** Logs what the pool reports outside any request. */
export interface PoolLogger {
  warn(object: object, message: string): void;
}

/**
 * One pool per process. `max` × replicas must stay under PostgreSQL's
 * `max_connections` (README). Connections are opened lazily, so building the
 * app never waits for the database, and a pool whose connections all broke
 * (the database restarted) opens fresh ones on the next query.
 */
export function createPool(config: Config, log: PoolLogger): pg.Pool {
  const pool = new pg.Pool({
    ...config.database,
    max: config.dbPoolMax,
    connectionTimeoutMillis: config.dbConnectTimeoutMs,
    // Sent at connect (libpq's `options`), so every statement of the pool has it;
    // migrate connects on its own and has none (a migration may take long).
    ...(config.dbStatementTimeoutMs > 0 ? { statement_timeout: config.dbStatementTimeoutMs } : {}),
    application_name: 'app',
  });
  // An idle client whose server went away emits 'error' on the pool; without
  // a listener Node treats it as unhandled and the process dies.
  // https://node-postgres.com/apis/pool#error
  pool.on('error', (err) => log.warn({ err }, 'idle database connection lost'));
  return pool;
}
