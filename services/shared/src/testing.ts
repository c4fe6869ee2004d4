/**
 * What the test suites of every package share, and nothing a service runs:
 * imported as `@stack/shared/testing`, never from `src/index.ts`.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A TCP port nothing listens on right now, for a server a test starts by
 * port number (a child process, a container's published port). Loopback
 * by default; `host: null` checks every interface, as a port Docker
 * publishes on all of them must be free on all of them.
 */
export async function freePort(host: string | null = '127.0.0.1'): Promise<number> {
  const server = createServer();
  if (host === null) server.listen(0);
  else server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port was given');
  return address.port;
}
