/**
 * The bench's upstream: a bare node:http server answering every request with
 * the same small JSON body, and `/readyz` for the edge's health checks.
 */
import { createServer, type Server } from 'node:http';

export const SMALL_BODY = Buffer.from(
  JSON.stringify({ id: 42, name: 'a stored record', tags: ['a', 'b'], ok: true }),
);

export function startUpstream(port: number, host = '127.0.0.1'): Server {
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': SMALL_BODY.length,
    });
    res.end(SMALL_BODY);
  });
  // Longer than every proxy's idle keep-alive, so the proxy closes first.
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
  return server;
}
