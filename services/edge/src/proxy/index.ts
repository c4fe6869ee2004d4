/**
 * The edge's reverse proxy as a self-contained unit working on raw node:http
 * objects: the server hands it every request that is not `/static/` or
 * `/_edge/`. See README.md for the contract and the settings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { BODY_TOO_LARGE, RATE_LIMITED, sendError } from './errors.ts';
import { Exchange, type ProxyContext, type Shared } from './exchange.ts';
import { peerAddress, peerTrusted, trustList } from './forwarded.ts';
import { requestHeaders } from './headers.ts';
import { lingerIfUnread } from './linger.ts';
import type { ProxyOptions } from './options.ts';
import { RateLimiter } from './rate-limit.ts';
import { Counters, type ProxyStats } from './stats.ts';
import { UpgradeExchange } from './upgrade.ts';
import { Upstreams } from './upstreams.ts';

export type { ProxyContext } from './exchange.ts';
export { trustList } from './forwarded.ts';
export { type LingerOptions, lingerIfUnread } from './linger.ts';
export {
  defaultResolver,
  PROXY_DEFAULTS,
  type ProxyOptions,
  proxyOptions,
  type ResolvedAddress,
  type Resolver,
} from './options.ts';
export {
  LATENCY_BUCKETS_S,
  mergeProxyStats,
  type ProxyStats,
  proxyStatsToPrometheus,
  type UpstreamAddressStats,
} from './stats.ts';

export interface EdgeProxy {
  /** Proxies one request; answers every outcome itself (never throws). */
  handle(req: IncomingMessage, res: ServerResponse, ctx: ProxyContext): void;
  /** For the server's `'upgrade'` event (WebSocket). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: ProxyContext): void;
  /** Plain data for `/_edge/metrics`; add workers up with `mergeProxyStats`. */
  stats(): ProxyStats;
  /** Settles once the upstream host name was resolved the first time. */
  readonly ready: Promise<void>;
  /** Stops timers; in-flight upstream requests finish, then connections close. */
  close(): Promise<void>;
}

export function createProxy(options: ProxyOptions): EdgeProxy {
  const counters = new Counters();
  const upstreams = new Upstreams(options, counters);
  const shared: Shared = { options, upstreams, counters };
  const trusted = trustList(options.trustedProxies);
  const limiter =
    options.rateLimitPerSecond > 0
      ? new RateLimiter(options.rateLimitPerSecond, options.rateLimitBurst)
      : null;
  const maxBody = options.maxBodyBytes;
  const serverHeader = options.serverHeader;

  function forwardHeaders(req: IncomingMessage, ctx: ProxyContext): string[] {
    const socket = req.socket;
    return requestHeaders(req.headers, {
      peer: peerAddress(socket, trusted),
      trusted: peerTrusted(socket, trusted),
      proto: (socket as TLSSocket).encrypted ? 'https' : 'http',
      requestId: ctx.requestId,
      defaultHost: upstreams.hostHeader,
    });
  }

  /** The address a trusted proxy says it saw, else the peer: who gets rate-limited. */
  function clientOf(req: IncomingMessage): string {
    const peer = peerAddress(req.socket, trusted);
    if (!peerTrusted(req.socket, trusted)) return peer;
    const chain = req.headers['x-forwarded-for'];
    const last = typeof chain === 'string' ? chain.slice(chain.lastIndexOf(',') + 1).trim() : '';
    return last || peer;
  }

  function handle(req: IncomingMessage, res: ServerResponse, ctx: ProxyContext): void {
    if (limiter !== null) {
      const wait = limiter.take(clientOf(req), Date.now());
      if (wait > 0) {
        counters.rateLimited++;
        counters.response(429);
        sendError(req, res, RATE_LIMITED, ctx.requestId, serverHeader, {
          'retry-after': String(wait),
        });
        return;
      }
    }
    const length = req.headers['content-length'];
    if (maxBody > 0 && length !== undefined && Number(length) > maxBody) {
      // Refused before a byte of the body is read, as nginx does; the
      // connection closes so the unread body is never parsed as a request,
      // after lingering so that the client gets the answer, not a RST.
      counters.response(413);
      lingerIfUnread(req, res, options);
      sendError(req, res, BODY_TOO_LARGE, ctx.requestId, serverHeader, { connection: 'close' });
      return;
    }
    const hasBody =
      length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
    new Exchange(shared, req, res, ctx, forwardHeaders(req, ctx), hasBody).start();
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: ProxyContext): void {
    new UpgradeExchange(shared, req, socket, head, ctx).start(forwardHeaders(req, ctx));
  }

  return {
    handle,
    upgrade,
    stats: () => counters.snapshot(upstreams.stats()),
    ready: upstreams.ready,
    close: async () => {
      limiter?.close();
      await upstreams.close();
    },
  };
}
