/** The PostgreSQL pool, shared by every route, ended when the app closes. */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { createPool } from '../db/pool.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: pg.Pool;
  }
}

async function db(app: FastifyInstance, options: { config: Config }) {
  const pool = createPool(options.config, app.log);
  app.decorate('db', pool);
  // Fastify closes the server (and so finishes in-flight requests) before it
  // runs plugins' onClose hooks, so no request loses its pool mid-query.
  app.addHook('onClose', async () => {
    await pool.end();
  });
}

export default fp(db, { name: 'db', fastify: '5.x' });
