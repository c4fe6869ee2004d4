/**
 * buildEdge(config): the edge as a Fastify instance that never listens.
 *
 * The node:http server comes from `serverFactory` so that table hits are
 * answered before Fastify routes anything (static/fast-path.ts); every other
 * request goes to Fastify: /_edge/, the rest of /static/, and the not-found
 * handler where the reverse proxy of issue 6 slots in.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import type { Socket } from 'node:net';
import { errorBody, REQUEST_ID_HEADER, requestIdFrom } from '@stack/shared';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { accessLogTo, createLogger } from './access-log.ts';
import type { Config } from './config.ts';
import { codeFor, sendError } from './errors.ts';
import type { Lifecycle } from './lifecycle.ts';
import accessLogPlugin from './plugins/access-log.ts';
import errorsPlugin from './plugins/errors.ts';
import healthPlugin from './plugins/health.ts';
import staticFilesPlugin from './plugins/static-files.ts';
import { createFastPath } from './static/fast-path.ts';
import { StaticTable } from './static/table.ts';

// Not `import … from 'node:http'`: an ESM import of node:http evaluates its
// lazy `WebSocket` export, which loads Node's bundled undici: +13 MiB RSS
// per worker (measured), for nothing the edge uses.
const { createServer, STATUS_CODES } = process.getBuiltinModule('node:http');

export type EdgeConfig = Omit<Config, 'port' | 'workers' | 'drainMs' | 'shutdownGraceMs'>;

export interface EdgeDependencies {
  /** Defaults to a pino logger on stdout with an asynchronous destination. */
  logger?: Logger;
}

/** Requests Node's parser rejects never reach a handler; they still get the shared shape. */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 408
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : 400;
  const requestId = randomUUID();
  const body = JSON.stringify(errorBody(status, codeFor(status), 'malformed request', requestId));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
}

export function buildEdge(config: EdgeConfig, deps: EdgeDependencies = {}): FastifyInstance {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const rootReal = realpathSync(config.staticRoot);
  const table = new StaticTable({
    rootReal,
    maxBytes: config.staticCacheBytes,
    pollMs: config.staticPollMs,
    log: logger,
  });
  const lifecycle: Lifecycle = { draining: false, closing: false };
  const accessLog = accessLogTo(logger);
  const fastPath = config.staticFastPath ? createFastPath(table, lifecycle, accessLog) : undefined;

  const edge = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One access-log line per request is ours (plugins/access-log.ts), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
    // Draining is ours (lifecycle.closing): a request already on a kept-alive
    // connection is served with `Connection: close`, as nginx does, not 503'd.
    return503OnClosing: false,
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => {
      // Routing failed, so no hook runs for this request: log it here.
      const { method, url, id } = request;
      reply.raw.once('finish', () => {
        const bytes = Number(reply.getHeader('content-length') ?? 0);
        accessLog(method, url, reply.statusCode, bytes, reply.elapsedTime, id);
      });
      reply.header(REQUEST_ID_HEADER, request.id);
      return sendError(request, reply, 400, error.message);
    },
    serverFactory: (handler) => {
      const server = createServer(
        {
          headersTimeout: config.headersTimeoutMs,
          keepAliveTimeout: config.keepAliveTimeoutMs,
          // Node checks the timeouts above this often (default 30 s, too coarse for a 10 s limit).
          connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
        },
        fastPath
          ? (req, res) => {
              if (!fastPath(req, res)) handler(req, res);
            }
          : handler,
      );
      return server;
    },
  });
  edge.decorate('lifecycle', lifecycle);
  edge.decorate('staticTable', table);
  edge.register(errorsPlugin);
  edge.register(accessLogPlugin, { log: accessLog });
  edge.register(healthPlugin);
  edge.register(staticFilesPlugin, { table, rootReal });
  return edge;
}
