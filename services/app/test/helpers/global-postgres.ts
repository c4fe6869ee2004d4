/**
 * `npm run test:unit`'s global setup (scripts/test-unit.ts calls it; a
 * plain `node --test --test-global-setup=` this file does the same): one
 * PostgreSQL server for the whole run instead of one container per test
 * file; postgres.ts gives each file a database of its own in it. The URL
 * reaches the test processes through the environment they inherit.
 */
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { SHARED_URL_ENV } from './postgres.ts';
import { postgresContainer } from './postgres-container.ts';

let server: StartedPostgreSqlContainer | undefined;

export async function globalSetup(): Promise<void> {
  server = await postgresContainer().start();
  process.env[SHARED_URL_ENV] = server.getConnectionUri();
}

export async function globalTeardown(): Promise<void> {
  await server?.stop();
}
