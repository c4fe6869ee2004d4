/**
 * Whether this instance is shutting down. `main.ts` starts draining on
 * SIGTERM; `/readyz` then answers 503 `draining` so the edge stops sending
 * new requests here, while every other route keeps serving (the root
 * README, "Contracts between the containers").
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    startDraining(): void;
    isDraining(): boolean;
  }
}

async function draining(app: FastifyInstance) {
  let isDraining = false;
  app.decorate('startDraining', () => {
    isDraining = true;
  });
  app.decorate('isDraining', () => isDraining);
  // While draining, each response closes its connection: a client (the
  // edge) opens a new one for its next request and re-resolves to another
  // replica, and app.close() is not left waiting on idle keep-alive sockets
  // that only their client would close.
  app.addHook('onSend', async (_request, reply) => {
    if (isDraining) reply.header('connection', 'close');
  });
}

export default fp(draining, { name: 'draining', fastify: '5.x' });
