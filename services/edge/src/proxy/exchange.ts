/**
 * One proxied request: the handler object undici's `dispatch` calls back
 * (undici 8's API: onRequestStart / onResponseStart / onResponseData /
 * onResponseEnd / onResponseError, lib/core/request.js). Its methods live on
 * the prototype and its listeners are shared functions, so a request costs
 * one object, not a set of closures.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import type { Dispatcher } from 'undici';
import { relayAccel } from './accel.ts';
import { RequestBody } from './body.ts';
import { bodyLimitFor } from './body-limits.ts';
import { ClientGoneError, resumeOnDrain, watchClient } from './client-side.ts';
import { compressInto } from './compress.ts';
import type { ProxyContext, ResponseTap, Shared } from './context.ts';
import {
  BODY_TOO_LARGE,
  type EdgeError,
  NO_UPSTREAM,
  sendError,
  UPSTREAM_TIMEOUT,
  UPSTREAM_UNREACHABLE,
} from './errors.ts';
import { CONNECT_FAILURES, LOST_BEFORE_RESPONSE, retryable, TIMEOUTS } from './failures.ts';
import { passTrailers } from './h2.ts';
import { lingerIfUnread } from './linger.ts';
import { responseHead } from './response-head.ts';
import type { Upstream } from './upstreams.ts';

export class Exchange implements Dispatcher.DispatchHandler {
  readonly shared: Shared;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: ProxyContext;
  readonly headers: string[];
  readonly hasBody: boolean;
  body: RequestBody | null = null;
  upstream: Upstream | null = null;
  controller: Dispatcher.DispatchController | null = null;
  compressor: Transform | null = null;
  /** The cache's view of the response (a fill, a revalidation, an invalidation), or null. */
  tap: ResponseTap | null = null;
  /** The tap answered the client itself: the upstream's body goes nowhere. */
  detached = false;
  /** The upstream's `X-Accel-Redirect` and head: the edge answers with that file (accel.ts). */
  accel: { value: string; headers: Record<string, string | string[] | undefined> } | null = null;
  /** onRequestStart ran: undici is writing the request to a connected socket. */
  started = false;
  responded = false;
  retried = false;
  waited = false;
  rechecked = false;
  clientGone = false;
  drainHooked = false;
  /** onResponseEnd ran: the whole answer was handed to the client's response. */
  ended = false;
  /** The response head's `Connection` value: the fields it names are dropped from trailers too. */
  connection: string | string[] | undefined = undefined;
  t0 = 0;
  attemptT0 = 0;

  constructor(
    shared: Shared,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ProxyContext,
    headers: string[],
    hasBody: boolean,
  ) {
    this.shared = shared;
    this.req = req;
    this.res = res;
    this.ctx = ctx;
    this.headers = headers;
    this.hasBody = hasBody;
    watchClient(res, this);
  }

  start(): void {
    const upstreams = this.shared.upstreams;
    const u = upstreams.pick(null);
    if (u !== null) {
      this.t0 = performance.now();
      this.send(u);
      return;
    }
    // Before the first resolution finishes (or while one runs after all
    // addresses vanished) wait for it once rather than refuse.
    const resolving = upstreams.resolving;
    if (resolving !== null && !this.waited) {
      this.waited = true;
      resolving.then(() => {
        if (!this.clientGone) this.start();
      });
      return;
    }
    // Every address failed its last check: check them now, once, before
    // refusing (Upstreams.recheck says which race this closes).
    const rechecking = this.rechecked ? null : upstreams.recheck();
    if (rechecking !== null) {
      this.rechecked = true;
      rechecking.then(() => {
        if (!this.clientGone) this.start();
      });
      return;
    }
    this.fail(NO_UPSTREAM);
  }

  send(u: Upstream): void {
    this.upstream = u;
    u.outstanding++;
    this.started = false;
    this.controller = null;
    const ctx = this.ctx;
    ctx.upstreamAddress = ctx.upstreamAddress ? `${ctx.upstreamAddress}, ${u.key}` : u.key;
    if (this.hasBody) {
      this.body = new RequestBody(
        this.req,
        bodyLimitFor(this.shared.options, this.req.url as string),
      );
    }
    this.attemptT0 = performance.now();
    try {
      u.pool.dispatch(
        {
          path: this.req.url as string,
          method: this.req.method as string,
          headers: this.headers,
          body: this.body,
        },
        this,
      );
    } catch (error) {
      this.onResponseError(null, error as Error);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.started = true;
    if (this.clientGone) controller.abort(new ClientGoneError());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // 1xx: Node already told the client to continue; 103 hints are dropped.
    if (statusCode < 200) return;
    const u = this.upstream as Upstream;
    if (u.failures !== 0) this.shared.upstreams.succeeded(u);
    this.ctx.upstreamStatus = statusCode;
    this.connection = headers.connection;
    const { options, counters } = this.shared;
    const accel = headers['x-accel-redirect'];
    if (accel !== undefined) {
      // Answered from the protected root once the upstream's (empty) body
      // ends; never kept by the cache.
      this.accel = { value: typeof accel === 'string' ? accel : '', headers };
      this.tap?.abort();
      this.tap = null;
      this.responded = true;
      return;
    }
    const { out, encoding } = responseHead(
      this.req,
      statusCode,
      headers,
      options,
      this.ctx.requestId,
    );
    if (this.tap?.head(statusCode, headers, out)) {
      // The cache answered (a 304 that refreshed its entry): nothing more to relay.
      this.detached = true;
      this.responded = true;
      return;
    }
    const res = this.res;
    try {
      res.writeHead(statusCode, out);
    } catch (error) {
      // A field Node refuses to write (the app's bug): answer 502 instead.
      controller.abort(error as Error);
      return;
    }
    this.responded = true;
    counters.response(statusCode);
    if (encoding !== null && this.req.method !== 'HEAD') {
      const length = Number(headers['content-length'] ?? 0);
      this.compressor = compressInto(res, encoding, length, () => this.controller?.resume());
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.accel !== null) return;
    if (this.tap !== null) {
      this.tap.data(chunk);
      if (this.detached) return;
    }
    const compressor = this.compressor;
    if (compressor !== null) {
      if (!compressor.write(chunk)) controller.pause();
    } else if (!this.res.write(chunk)) {
      controller.pause();
      if (!this.drainHooked) {
        this.drainHooked = true;
        resumeOnDrain(this.res);
      }
    }
  }

  onResponseEnd(
    _controller: Dispatcher.DispatchController,
    trailers: Record<string, string | string[] | undefined>,
  ): void {
    this.ended = true;
    this.settle();
    if (this.accel !== null) {
      const { counters, options } = this.shared;
      const { req, res, accel } = this;
      const count = (status: number) => counters.response(status);
      relayAccel(req, res, accel, this.ctx.requestId, options.accel, options.serverHeader, count);
      return;
    }
    this.tap?.end();
    if (this.detached) return;
    passTrailers(this.req, this.res, trailers, this.connection);
    // `Connection` may not be a trailer (RFC 9110 §6.5.1), but undici's
    // parser obeys a `close` there and refuses the next answer on that
    // connection while its client reuses it: a request sent, answered and
    // lost (502). Such an upstream gets fresh connections instead.
    if (trailers?.connection !== undefined) this.upstream?.drain();
    if (this.compressor !== null) this.compressor.end();
    else this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.settle();
    this.tap?.abort();
    if (this.clientGone) return;
    const res = this.res;
    if (this.responded) {
      // Part of the response is out: all that is left is to cut it, so the
      // client sees a truncated body rather than a complete-looking one.
      this.ctx.cut = true;
      this.compressor?.destroy();
      res.destroy(error);
      return;
    }
    if (this.body?.tooLarge) {
      this.fail(BODY_TOO_LARGE, true);
      return;
    }
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const u = this.upstream as Upstream;
    const neverSent = !this.started;
    if ((neverSent && CONNECT_FAILURES.has(code)) || code === 'ECONNRESET') {
      this.shared.upstreams.eject(u);
    }
    if (!this.retried && retryable(this.req.method as string, neverSent, code, this.body)) {
      // Another address if there is one; the same one only for a lost
      // keep-alive connection, which a fresh connection may well not repeat.
      const next =
        this.shared.upstreams.pick(u) ??
        (LOST_BEFORE_RESPONSE.has(code) && !neverSent && !u.retired ? u : null);
      if (next !== null) {
        this.retried = true;
        this.shared.counters.retries++;
        this.send(next);
        return;
      }
    }
    this.fail(TIMEOUTS.has(code) ? UPSTREAM_TIMEOUT : UPSTREAM_UNREACHABLE);
  }

  settle(): void {
    const now = performance.now();
    const u = this.upstream;
    if (u !== null) u.outstanding--;
    this.shared.counters.latency(now - this.attemptT0);
    this.ctx.upstreamMs = now - this.t0;
  }

  fail(error: EdgeError, close = false): void {
    const res = this.res;
    // An h2 stream ends alone; the session is other requests' too (h2.ts).
    const closeConnection = close && this.req.httpVersionMajor !== 2;
    if (res.headersSent || res.destroyed) return;
    if (this.tap?.failed()) return;
    this.shared.counters.response(error.status);
    if (closeConnection) lingerIfUnread(this.req, res, this.shared.options);
    sendError(
      this.req,
      res,
      error,
      this.ctx.requestId,
      this.shared.options.serverHeader,
      // The rest of an oversized body is not worth reading: close instead.
      closeConnection ? { connection: 'close' } : undefined,
    );
  }

  clientClosed(): void {
    this.clientGone = true;
    this.controller?.abort(new ClientGoneError());
    this.body?.destroy();
    this.compressor?.destroy();
  }
}
