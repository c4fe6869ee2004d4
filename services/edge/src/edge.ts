import { realpathSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { REQUEST_ID_HEADER, requestIdFrom } from '@stack/shared';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { type AccessLog, accessLogTo, createLogger } from './access-log.ts';
import type { CachePeers } from './cache/peers.ts';
import type { Config } from './config.ts';
import { sendError } from './errors.ts';
import type { Lifecycle } from './lifecycle.ts';
import { MEDIA_ERROR_HEADERS, MEDIA_PREFIX } from './media/representation.ts';
import { EdgeCounters, type EdgeStats, edgeStats } from './metrics.ts';
import { edgeOwns } from './owned-paths.ts';
import accessLogPlugin from './plugins/access-log.ts';
import errorsPlugin from './plugins/errors.ts';
import healthPlugin from './plugins/health.ts';
import mediaFilesPlugin from './plugins/media-files.ts';
import metricsPlugin from './plugins/metrics.ts';
import staticFilesPlugin from './plugins/static-files.ts';
import { accelOptions } from './proxy/accel.ts';
import {
  acceptsUpgrade,
  createProxy,
  defaultResolver,
  type EdgeProxy,
  type ProxyContext,
  proxySettings,
  type Resolver,
  trustList,
} from './proxy/index.ts';
import { clientErrorHandler, endSocket } from './socket-answers.ts';
import { createFastPath } from './static/fast-path.ts';
import { answerStreamsFirst, createH2FastPath } from './static/fast-path-h2.ts';
import { StaticTable } from './static/table.ts';
import { challengeAnswer } from './tls/challenge-answer.ts';
import { TlsListener } from './tls/listener.ts';
import { httpsRedirect } from './tls/redirect.ts';
import { transportOf } from './tls/transport.ts';

// Not `import … from 'node:http'`: an ESM import of node:http evaluates its
// lazy `WebSocket` export, which loads Node's bundled undici: +13 MiB RSS
// per worker (measured), for nothing the edge uses.
const { createServer } = process.getBuiltinModule('node:http');

export type EdgeConfig = Omit<Config, 'host' | 'port' | 'workers' | 'drainMs' | 'shutdownGraceMs'>;

export interface EdgeDependencies {
  /** Defaults to a pino logger on stdout with an asynchronous destination. */
  logger?: Logger;
  /** Every worker's figures for `/_edge/metrics` (worker.ts); this process's alone by default. */
  gatherStats?: (local: () => EdgeStats) => () => Promise<EdgeStats[]>;
  /** How the upstream host name is resolved; tests inject one. */
  resolve?: Resolver;
  /** The other workers' caches (worker.ts); none by default. */
  cachePeers?: CachePeers | undefined;
}

/** What an Http2ServerRequest adds that the proxied path reads. */
type H2Request = IncomingMessage & {
  stream: { rstCode?: number; session: { socket: { bytesWritten: number } } };
};

/** NGHTTP2_NO_ERROR: a stream that ended as it should. */
const NO_ERROR = 0;

/**
 * The proxied request's side of the server: request id, the access-log line
 * with nginx's `$upstream_addr`/`$upstream_response_time`, `Connection:
 * close` while shutting down. One closure per request (the 'finish'
 * listener), as the bench's measured path has it.
 */
function proxyDispatch(proxy: EdgeProxy, lifecycle: Lifecycle, log: AccessLog) {
  return (req: IncomingMessage, res: ServerResponse, expectsContinue = false): void => {
    const started = performance.now();
    // Every field set up front: one object shape for V8, whatever the outcome.
    const ctx: ProxyContext = {
      requestId: requestIdFrom(req.headers[REQUEST_ID_HEADER]),
      upstreamAddress: '',
      upstreamMs: -1,
      upstreamStatus: 0,
      edgeStatus: 0,
      cut: false,
    };
    // Bytes sent for this response, head included (nginx's `$bytes_sent`):
    // a proxied body's length is often not known up front. On h2, the
    // session's: other streams' bytes interleave, so an approximation.
    const socket =
      req.httpVersionMajor === 2 ? (req as H2Request).stream.session.socket : req.socket;
    const sentBefore = socket.bytesWritten;
    if (lifecycle.closing) res.setHeader('connection', 'close');
    // 'close', not 'finish': a client that leaves first is logged too, as
    // nginx logs it (499), and never as the 200 a response starts out with.
    res.on('close', () => {
      const bytes = bytesSince(socket, sentBefore);
      const ms = performance.now() - started;
      const { method, url } = req as { method: string; url: string };
      const status = answered(req, res) || ctx.cut ? res.statusCode : CLIENT_CLOSED_REQUEST;
      log(method, url, status, bytes, ms, ctx.requestId, ctx, transportOf(req));
    });
    proxy.handle(req, res, ctx, expectsContinue);
  };
}

/** nginx's status for a request whose client closed the connection before the answer went out. */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * The whole response went out. On h2 the stream closed without a reset:
 * the compat response reads as finished when its stream was cancelled or
 * its session lost, too.
 */
function answered(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.httpVersionMajor !== 2) return res.writableFinished;
  return (req as H2Request).stream.rstCode === NO_ERROR;
}

/**
 * Bytes `socket` wrote since `before`. An h2 session's socket is a proxy
 * that throws once the session is gone, as it is when a client leaves
 * mid-response and the stream closes after it: the count is lost then (0),
 * not the worker.
 */
function bytesSince(socket: { bytesWritten: number }, before: number): number {
  try {
    return socket.bytesWritten - before;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_HTTP2_SOCKET_UNBOUND') return 0;
    throw error;
  }
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
  const mediaReal = config.mediaRoot === '' ? '' : realpathSync(config.mediaRoot);
  const ownedByEdge = edgeOwns(mediaReal !== '');
  const lifecycle: Lifecycle = { draining: false, closing: false };
  const counters = new EdgeCounters();
  const plainLog = accessLogTo(logger);
  // The edge's own answers are counted here; the proxy counts its own.
  const accessLog: AccessLog = (method, path, status, bytes, ms, requestId, _up, transport) => {
    counters.count(path, status);
    plainLog(method, path, status, bytes, ms, requestId, undefined, transport);
  };
  const fastPath = config.staticFastPath
    ? createFastPath(table, lifecycle, accessLog, counters)
    : undefined;
  const proxy = createProxy({
    ...proxySettings(config),
    // None, as the static answers: the upstream's (with its version) is dropped too.
    serverHeader: '',
    resolve: deps.resolve ?? defaultResolver,
    cachePeers: deps.cachePeers,
    accel: accelOptions(config.protectedRoot, logger),
  });
  const proxied = proxyDispatch(proxy, lifecycle, plainLog);

  // Fastify's own handler, captured by serverFactory below (which Fastify
  // calls synchronously), so the TLS listener routes through it too.
  let fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const redirect = config.httpRedirect
    ? httpsRedirect(config.tlsPublicPort || config.tlsPort, accessLog)
    : undefined;
  const hsts = config.hstsMaxAgeS > 0 ? `max-age=${config.hstsMaxAgeS}` : '';
  // EDGE_TLS_CERTS=acme's HTTP-01 tokens, on the plain port only (set once the listener exists).
  let challenge: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  const route = (
    req: IncomingMessage,
    res: ServerResponse,
    expectsContinue: boolean,
    secure: boolean,
  ): void => {
    if (secure) {
      // Only over HTTPS (RFC 6797 §7.2: a plain-HTTP answer must not carry it).
      if (hsts !== '') res.setHeader('strict-transport-security', hsts);
    } else if (challenge?.(req, res) || redirect?.(req, res)) {
      return;
    }
    // An `Upgrade` the edge declined (shouldUpgradeCallback below):
    // Node's parser stops reading the connection after such a request,
    // so a request pipelined behind it would never be answered.
    if (req.headers.upgrade !== undefined) res.setHeader('connection', 'close');
    if (!ownedByEdge(req.url as string)) {
      proxied(req, res, expectsContinue);
      return;
    }
    // Nothing the edge answers itself is worth refusing before a body.
    if (expectsContinue) res.writeContinue();
    if (fastPath?.(req, res)) return;
    fastifyHandler(req, res);
  };
  const shouldUpgradeCallback = (req: IncomingMessage): boolean =>
    acceptsUpgrade(req) && !ownedByEdge(req.url as string);
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const started = performance.now();
    const ctx: ProxyContext = {
      requestId,
      upstreamAddress: '',
      upstreamMs: -1,
      upstreamStatus: 0,
      edgeStatus: 0,
    };
    // One line when the tunnel closes, as nginx logs a WebSocket request;
    // a socket that closed before any answer was cut (logged as 502).
    socket.once('close', () => {
      const ms = performance.now() - started;
      const status = ctx.upstreamStatus || ctx.edgeStatus || 502;
      const { method, url } = req as { method: string; url: string };
      plainLog(method, url, status, 0, ms, requestId, ctx, transportOf(req));
    });
    if (lifecycle.closing) {
      ctx.edgeStatus = 503;
      proxy.count(503);
      endSocket(socket, 503, 'the edge is shutting down', requestId, config);
      return;
    }
    proxy.upgrade(req, socket, head, ctx);
  };
  // Created only with EDGE_TLS_PORT: node:http2 is loaded only then.
  const tls =
    config.tlsPort > 0
      ? new TlsListener({
          route: (req, res, expectsContinue) => route(req, res, expectsContinue, true),
          shouldUpgrade: shouldUpgradeCallback,
          upgrade,
          headersTimeoutMs: config.headersTimeoutMs,
          requestTimeoutMs: config.requestTimeoutMs,
          keepAliveTimeoutMs: config.keepAliveTimeoutMs,
          acmeTlsAlpn: config.tlsCerts === 'acme' && config.acmeChallenge === 'tls-alpn-01',
        })
      : null;
  if (tls !== null && config.tlsCerts === 'acme')
    challenge = challengeAnswer(tls.challenges, config.acmePeers, accessLog);
  if (tls !== null && fastPath !== undefined) {
    const requests = tls.counters.requests;
    const countRequest = (transport: { key: string } | undefined): void => {
      const key = transport?.key ?? 'unknown';
      requests[key] = (requests[key] ?? 0) + 1;
    };
    const h2Fast = createH2FastPath({ table, log: accessLog, hits: counters, hsts, countRequest });
    answerStreamsFirst(tls.server, h2Fast);
  }

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
        const transport = transportOf(request.raw);
        accessLog(
          method,
          url,
          reply.statusCode,
          bytes,
          reply.elapsedTime,
          id,
          undefined,
          transport,
        );
      });
      reply.header(REQUEST_ID_HEADER, request.id);
      if (request.url.startsWith(MEDIA_PREFIX)) reply.headers(MEDIA_ERROR_HEADERS);
      return sendError(request, reply, 400, error.message);
    },
    serverFactory: (handler) => {
      fastifyHandler = handler;
      const server = createServer(
        {
          // Slow clients (slowloris) are the server's to cut, not the proxy's.
          headersTimeout: config.headersTimeoutMs,
          requestTimeout: config.requestTimeoutMs,
          keepAliveTimeout: config.keepAliveTimeoutMs,
          // Node checks the timeouts above this often (default 30 s, too coarse for a 10 s limit).
          connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
          // Only a WebSocket GET for the app is tunnelled; any other request
          // with `Upgrade` is an ordinary request, with every ordinary rule.
          shouldUpgradeCallback,
        },
        (req, res) => route(req, res, false, false),
      );
      // Node's own handling would send `100 Continue` before the edge could
      // refuse (413, 429) the body it invites.
      server.on('checkContinue', (req, res) => route(req, res, true, false));
      server.on('upgrade', upgrade);
      return server;
    },
  });
  const localStats = (): EdgeStats => edgeStats(counters, proxy.stats(), tls?.counters);
  const gather = deps.gatherStats?.(localStats) ?? (async () => [localStats()]);
  edge.decorate('lifecycle', lifecycle);
  edge.decorate('staticTable', table);
  edge.decorate('proxy', proxy);
  edge.decorate('tls', tls);
  // The HTTPS listener stops accepting and sends GOAWAY with the plain one…
  let tlsClosed: Promise<void> = Promise.resolve();
  edge.addHook('preClose', (done) => {
    if (tls !== null) tlsClosed = tls.close();
    done();
  });
  // …and Fastify runs onClose after the plain server closed: once both
  // listeners' in-flight requests (proxied ones included) finished.
  edge.addHook('onClose', async () => {
    await tlsClosed;
    await proxy.close();
  });
  edge.register(errorsPlugin, { linger: config });
  edge.register(accessLogPlugin, { log: accessLog });
  edge.register(healthPlugin);
  edge.register(metricsPlugin, { gather, allow: trustList(config.metricsAllow) });
  edge.register(staticFilesPlugin, { table, rootReal, hits: counters });
  if (mediaReal !== '') edge.register(mediaFilesPlugin, { rootReal: mediaReal });
  return edge;
}
