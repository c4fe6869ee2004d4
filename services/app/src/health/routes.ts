/**
 * `/healthz` (the process lives) and `/readyz` (send it traffic), as
 * the root README's contracts define them. The edge polls `/readyz` on every replica.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { migrationNames, pendingMigrations } from '../db/migrations.ts';
import { HttpError } from '../http-error.ts';
import { ErrorResponse } from '../plugins/errors.ts';

export interface HealthOptions {
  version: string;
  instance: string;
}

const Health = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  instance: Type.String(),
});

const Ready = Type.Object({ status: Type.Literal('ready') });

const health: FastifyPluginAsyncTypebox<HealthOptions> = async (app, options) => {
  // Read once: the migrations a build has cannot change while it runs.
  const known = await migrationNames();

  app.get('/healthz', { schema: { response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    version: options.version,
    instance: options.instance,
  }));

  app.get(
    '/readyz',
    { schema: { response: { 200: Ready, 500: ErrorResponse, 503: ErrorResponse } } },
    async () => {
      if (app.isDraining()) {
        throw new HttpError(503, 'draining', 'This instance is shutting down.');
      }
      // A database that does not answer throws here and the error handler
      // answers 503 db_unavailable.
      const pending = await pendingMigrations(app.db, known);
      if (pending.length > 0) {
        throw new HttpError(
          503,
          'migrations_pending',
          `Migrations not applied yet: ${pending.join(', ')}.`,
        );
      }
      return { status: 'ready' as const };
    },
  );
};

export default health;
