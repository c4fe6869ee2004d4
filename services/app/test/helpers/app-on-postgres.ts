import { after, before } from 'node:test';
import { type App, buildApp } from '../../src/app.ts';
import { manifest } from './app.ts';
import { appConfig, migrate, type Postgres, startPostgres } from './postgres.ts';

export interface AppOnPostgres {
  app(): App;
  db(): Postgres;
}

/**
 * For a `describe` block: one PostgreSQL 17 container (migrated unless
 * `migrate: false`) and the app built on it in-process, both closed in
 * `after`, which runs even when a test fails.
 */
export function useAppOnPostgres(
  options: { migrate?: boolean; fixedHostPort?: boolean; env?: Record<string, string> } = {},
): AppOnPostgres {
  let db: Postgres | undefined;
  let app: App | undefined;
  before(async () => {
    db = await startPostgres({ fixedHostPort: options.fixedHostPort ?? false });
    if (options.migrate !== false) await migrate(db);
    app = buildApp(appConfig(db, options.env), { manifest });
  });
  after(async () => {
    await app?.close();
    await db?.stop();
  });
  return {
    app() {
      if (!app) throw new Error('the app did not start');
      return app;
    },
    db() {
      if (!db) throw new Error('PostgreSQL did not start');
      return db;
    },
  };
}
