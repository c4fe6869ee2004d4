import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import type { DatabaseConnection } from '../config.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
export const MIGRATIONS_TABLE = 'pgmigrations';

// node-pg-migrate takes every file in the folder as a migration unless its
// name matches `^${ignorePattern}$`; this skips all but `.sql` files (so the
// folder can have a README) and dotfiles, its default ignore.
const IGNORE_PATTERN = '(?:\\..*|(?!.*\\.sql$).*)';
const IGNORED = new RegExp(`^${IGNORE_PATTERN}$`);

/** The migration names this build has, as node-pg-migrate records them. */
export async function migrationNames(dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = await readdir(dir);
  return files
    .filter((file) => !IGNORED.test(file))
    .map((file) => file.slice(0, -'.sql'.length))
    .sort();
}

/** Where node-pg-migrate's progress lines go. */
export interface MigrationLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const UNDEFINED_TABLE = '42P01';

/**
 * Which of `names` the database has not applied yet. Names recorded there
 * but absent here are newer migrations from a newer build, which is fine
 * during a rolling update.
 */
export async function pendingMigrations(pool: pg.Pool, names: string[]): Promise<string[]> {
  try {
    const { rows } = await pool.query<{ name: string }>(
      `SELECT name FROM ${MIGRATIONS_TABLE} WHERE name = ANY($1::text[])`,
      [names],
    );
    const applied = new Set(rows.map((row) => row.name));
    return names.filter((name) => !applied.has(name));
  } catch (error) {
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return names;
    throw error;
  }
}

/**
 * Applies the pending migrations; returns the names applied (none when
 * current). Two runs at once are safe: node-pg-migrate holds a PostgreSQL
 * advisory lock (`pg_advisory_lock(PG_MIGRATE_LOCK_ID)`) from before it
 * reads the applied list until it is done. Its v9 default is to fail when
 * the lock is taken; `wait` makes the second run queue, then find nothing
 * left to do (node-pg-migrate src/runner.ts, `lock()`).
 */
export async function runMigrations(
  connection: DatabaseConnection & { connectionTimeoutMillis?: number },
  logger: MigrationLogger,
): Promise<string[]> {
  const applied = await runner({
    databaseUrl: { ...connection, application_name: 'migrate' },
    dir: MIGRATIONS_DIR,
    ignorePattern: IGNORE_PATTERN,
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up',
    advisoryLockMode: 'wait',
    logger,
  });
  return applied.map((migration) => migration.name);
}
