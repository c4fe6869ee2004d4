/**
 * The edge's reverse proxy as a self-contained unit working on raw node:http
 * objects: the server hands it every request that is not `/static/` or
 * `/_edge/`. See README.md for the contract and the settings.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createCache, type EdgeCache } from '../cache/index.ts';
import { BackgroundExchange } from './background.ts';
import { bodyLimitFor } from './body-limits.ts';
import type { ProxyContext, ResponseTap, Shared } from './context.ts';
import {
  BAD_HOST,
  BODY_TOO_LARGE,
  type EdgeError,
  RATE_LIMITED,
  sendError,
  writeSocketError,
} from './errors.ts';
import { Exchange } from './exchange.ts';
import { peerAddress, peerTrusted, trustList } from './forwarded.ts';
import { h1Fields, hasBody, hostOf, isH2 } from './h2.ts';
import { hostIsValid, isWebSocketUpgrade, requestHeaders } from './headers.ts';
import { lingerIfUnread } from './linger.ts';
import type { ProxyOptions } from './options.ts';
import { RateLimiter } from './rate-limit.ts';
import { Counters, type ProxyStats } from './stats.ts';
import { UpgradeExchange } from './upgrade.ts';
import { Upstreams } from './upstreams.ts';

export type { ProxyContext } from './context.ts';
export { trustList } from './forwarded.ts';
export { isWebSocketUpgrade } from './headers.ts';
export { type LingerOptions, lingerAndClose, lingerIfUnread } from './linger.ts';
export {
  defaultResolver,
  PROXY_DEFAULTS,
  PROXY_SETTINGS,
  type ProxyOptions,
  type ProxySettings,
  proxyOptions,
  proxySettings,
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

/** Why a request is answered by the edge instead of an upstream. */
interface Refusal {
  error: EdgeError;
  /** `Retry-After` for a 429. */
  headers: Record<string, string> | undefined;
  /** The body may be unread: close (after lingering) rather than parse it as the next request. */
  close: boolean;
}

/**
 * The server's `shouldUpgradeCallback`: only a WebSocket GET takes the
 * `'upgrade'` path; every other request carrying `Upgrade` is served as an
 * ordinary one (`handle`), with all its rules.
 */
export function acceptsUpgrade(req: IncomingMessage): boolean {
  return isWebSocketUpgrade(req.method, req.headers.upgrade);
}

export interface EdgeProxy {
  /**
   * Proxies one request; answers every outcome itself (never throws).
   * `expectsContinue`: the request came through the server's
   * `'checkContinue'` event, so `100 Continue` is sent only once it is admitted.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ProxyContext,
    expectsContinue?: boolean,
  ): void;
  /** For the server's `'upgrade'` event (WebSocket; see `acceptsUpgrade`). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: ProxyContext): void;
  /** Plain data for `/_edge/metrics`; add workers up with `mergeProxyStats`. */
  stats(): ProxyStats;
  /** Counts an answer the server gave for a request of the proxy's (an upgrade refused while shutting down). */
  count(status: number): void;
  /** Settles once the upstream host name was resolved the first time. */
  readonly ready: Promise<void>;
  /**
   * Cuts every open WebSocket tunnel; returns how many. For shutdown: a
   * tunnel never finishes by itself, and the server waits for it (its
   * socket is no request `closeAllConnections` knows).
   */
  closeTunnels(): number;
  /** Stops timers; in-flight upstream requests finish, then connections close. */
  close(): Promise<void>;
}

export function createProxy(options: ProxyOptions): EdgeProxy {
  const counters = new Counters();
  const upstreams = new Upstreams(options, counters);
  const shared: Shared = { options, upstreams, counters, tunnels: new Set() };
  const trusted = trustList(options.trustedProxies);
  const limiter =
    options.rateLimitPerSecond > 0
      ? new RateLimiter(options.rateLimitPerSecond, options.rateLimitBurst)
      : null;
  const serverHeader = options.serverHeader;

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ProxyContext,
    headers: string[],
    tap: ResponseTap | null,
  ): void {
    const exchange = new Exchange(shared, req, res, ctx, headers, hasBody(req));
    exchange.tap = tap;
    exchange.start();
  }
  function refresh(path: string, headers: string[], tap: ResponseTap): void {
    const u = upstreams.pick(null);
    if (u === null) tap.abort();
    else new BackgroundExchange(tap, u).send(path, headers);
  }
  const cache: EdgeCache | null =
    options.cache === 'on' ? createCache(options, counters, forward, refresh) : null;

  function forwardHeaders(req: IncomingMessage, ctx: ProxyContext): string[] {
    const socket = req.socket;
    return requestHeaders(isH2(req) ? h1Fields(req.headers) : req.headers, {
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

  /**
   * What the edge refuses before any upstream sees the request, in nginx's
   * order (the Host at parse time, `limit_req`, `client_max_body_size`):
   * one decision for both paths, so an `Upgrade` header changes nothing.
   */
  function refusal(req: IncomingMessage): Refusal | null {
    const headers = req.headers;
    if (!hostIsValid(hostOf(req), req.rawHeaders, req.httpVersion)) {
      return { error: BAD_HOST, headers: undefined, close: true };
    }
    if (limiter !== null) {
      const wait = limiter.take(clientOf(req), Date.now());
      if (wait > 0) {
        counters.rateLimited++;
        return { error: RATE_LIMITED, headers: { 'retry-after': String(wait) }, close: false };
      }
    }
    const length = headers['content-length'];
    // Refused before a byte of the body is read, as nginx does.
    const maxBody = bodyLimitFor(options, req.url as string);
    if (maxBody > 0 && length !== undefined && Number(length) > maxBody) {
      return { error: BODY_TOO_LARGE, headers: undefined, close: true };
    }
    return null;
  }

  function handle(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ProxyContext,
    expectsContinue = false,
  ): void {
    const refused = refusal(req);
    if (refused !== null) {
      counters.response(refused.error.status);
      // A client waiting for `100 Continue` may send its body anyway: never
      // read it as the next request. A closing answer lingers so that a
      // client still sending gets it rather than a RST.
      // (Also when the server already decided to close: see edge.ts.)
      // On h2 a refused stream ends alone: the session, other streams' too, stays.
      const close =
        !isH2(req) && (refused.close || expectsContinue || res.getHeader('connection') === 'close');
      if (close) lingerIfUnread(req, res, options);
      sendError(
        req,
        res,
        refused.error,
        ctx.requestId,
        serverHeader,
        close ? { ...refused.headers, connection: 'close' } : refused.headers,
      );
      return;
    }
    if (expectsContinue) res.writeContinue();
    const headers = forwardHeaders(req, ctx);
    if (cache === null) {
      forward(req, res, ctx, headers, null);
      return;
    }
    const method = req.method;
    if (method === 'GET' || method === 'HEAD') cache.handle(req, res, ctx, headers);
    else forward(req, res, ctx, headers, cache.invalidation(req, headers));
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: ProxyContext): void {
    const refused = refusal(req);
    if (refused !== null) {
      counters.response(refused.error.status);
      ctx.edgeStatus = refused.error.status;
      writeSocketError(req, socket, refused.error, ctx.requestId, options, refused.headers);
      return;
    }
    new UpgradeExchange(shared, req, socket, head, ctx).start(forwardHeaders(req, ctx));
  }

  return {
    handle,
    upgrade,
    stats: () => counters.snapshot(upstreams.stats(), cache?.stats()),
    count: (status) => counters.response(status),
    ready: upstreams.ready,
    closeTunnels: () => {
      const open = shared.tunnels.size;
      for (const socket of shared.tunnels) socket.destroy();
      return open;
    },
    close: async () => {
      limiter?.close();
      await upstreams.close();
    },
  };
}
