/**
 * `npm run migrate` (and the compose `migrate` one-shot): applies the pending
 * migrations, a no-op when the database is current. A failure prints one line
 * with the reason and exits 1, so compose's `service_completed_successfully`
 * keeps the app from starting on a half-migrated schema (fastify/demo's
 * scripts/migrate.ts logs the error and exits 0: the bug this avoids).
 */
import { pino } from 'pino';
import { loadConfigOrExit } from './config.ts';
import { describeError } from './db/errors.ts';
import { runMigrations } from './db/migrations.ts';

const config = loadConfigOrExit(process.env);
const log = pino({ level: config.logLevel, base: { service: 'migrate' } });

try {
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
