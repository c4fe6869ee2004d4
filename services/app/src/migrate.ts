/**
 * `npm run migrate` (and the compose `migrate` one-shot): applies the pending
 * migrations, a no-op when the database is current. A failure prints one line
 * with the reason and exits 1, so compose's `service_completed_successfully`
 * keeps the app from starting on a half-migrated schema (fastify/demo's
 * scripts/migrate.ts logs the error and exits 0: the bug this avoids).
 * With APP_DB_WAIT_MS it first waits that long for the database to come up
 * (Swarm starts it beside a database still initialising); only then does a
 * refused connection count as a failure.
 */
import { pino } from 'pino';
import { loadConfigOrExit } from './config.ts';
import { describeError } from './db/errors.ts';
import { runMigrations } from './db/migrations.ts';
import { waitForDatabase } from './db/wait.ts';

const config = loadConfigOrExit(process.env);
const log = pino({ level: config.logLevel, base: { service: 'migrate' } });

try {
  await waitForDatabase(config.database, {
    timeoutMs: config.dbWaitMs,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    onRetry: (reason, elapsedMs) =>
      log.info({ reason, elapsedMs }, 'waiting for the database (APP_DB_WAIT_MS)'),
  });
  const applied = await runMigrations(
    { ...config.database, connectionTimeoutMillis: config.dbConnectTimeoutMs },
    {
      info: (message) => log.info(message),
      warn: (message) => log.warn(message),
      error: (message) => log.error(message),
    },
  );
  log.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database is current');
} catch (error) {
  process.stderr.write(`migrate failed: ${describeError(error)}\n`);
  process.exitCode = 1;
}
