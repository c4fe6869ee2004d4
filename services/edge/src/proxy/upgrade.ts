/**
 * WebSocket (any `Upgrade:`) pass-through: the handshake goes to an upstream
 * address through undici; on 101 the two sockets are joined byte for byte.
 * An upstream that refuses the upgrade has its ordinary response relayed.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import {
  type EdgeError,
  NO_UPSTREAM,
  UPSTREAM_TIMEOUT,
  UPSTREAM_UNREACHABLE,
  writeSocketError,
} from './errors.ts';
import type { ProxyContext, Shared } from './exchange.ts';
import { RESPONSE_DROP } from './headers.ts';
import type { Upstream } from './upstreams.ts';

type Headers = Record<string, string | string[] | undefined>;

function headLines(headers: Headers, skip: Set<string> | null): string {
  let text = '';
  for (const name in headers) {
    if (skip?.has(name)) continue;
    const value = headers[name];
    if (typeof value === 'string') text += `${name}: ${value}\r\n`;
    else if (value !== undefined) for (const item of value) text += `${name}: ${item}\r\n`;
  }
  return text;
}

export class UpgradeExchange implements Dispatcher.DispatchHandler {
  readonly shared: Shared;
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly ctx: ProxyContext;
  upstream: Upstream | null = null;
  controller: Dispatcher.DispatchController | null = null;
  answered = false;
  t0 = performance.now();

  constructor(
    shared: Shared,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    ctx: ProxyContext,
  ) {
    this.shared = shared;
    this.req = req;
    this.socket = socket;
    this.head = head;
    this.ctx = ctx;
    socket.on('error', () => this.controller?.abort(new Error('client socket failed')));
    socket.on('close', () => this.controller?.abort(new Error('client socket closed')));
  }

  start(headers: string[]): void {
    const u = this.shared.upstreams.pick(null);
    if (u === null) {
      this.fail(NO_UPSTREAM);
      return;
    }
    this.upstream = u;
    this.ctx.upstreamAddress = u.key;
    const upgrade = this.req.headers.upgrade as string;
    try {
      u.pool.dispatch(
        { path: this.req.url as string, method: 'GET', headers, upgrade, body: null },
        this,
      );
    } catch (error) {
      this.onResponseError(null, error as Error);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.socket.destroyed) controller.abort(new Error('client socket closed'));
  }

  onRequestUpgrade(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Headers,
    upstream: Duplex,
  ): void {
    this.answered = true;
    this.ctx.upstreamStatus = statusCode;
    this.ctx.upstreamMs = performance.now() - this.t0;
    this.shared.counters.response(statusCode);
    const client = this.socket;
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    // The handshake fields (Upgrade, Connection, Sec-WebSocket-Accept) are
    // exactly the hop-by-hop ones this hop must forward.
    client.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}\r\n${headLines(headers, null)}` +
        `x-request-id: ${this.ctx.requestId}\r\n\r\n`,
    );
    if (this.head.length > 0) upstream.write(this.head);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.pipe(client);
    client.pipe(upstream);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Headers,
  ): void {
    if (statusCode < 200) return;
    this.answered = true;
    this.ctx.upstreamStatus = statusCode;
    this.shared.counters.response(statusCode);
    const length = headers['content-length'];
    // Without a length the end of the body is the end of the connection.
    const framing = typeof length === 'string' ? `content-length: ${length}\r\n` : '';
    this.socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}\r\n` +
        `${headLines(headers, RESPONSE_DROP_WITH_LENGTH)}${framing}` +
        `x-request-id: ${this.ctx.requestId}\r\nconnection: close\r\n\r\n`,
    );
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.socket.write(chunk);
  }

  onResponseEnd(): void {
    this.ctx.upstreamMs = performance.now() - this.t0;
    this.socket.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.ctx.upstreamMs = performance.now() - this.t0;
    if (this.answered || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ECONNREFUSED' && this.upstream !== null)
      this.shared.upstreams.eject(this.upstream);
    const timeout = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
    this.fail(timeout ? UPSTREAM_TIMEOUT : UPSTREAM_UNREACHABLE);
  }

  fail(error: EdgeError): void {
    this.answered = true;
    this.shared.counters.response(error.status);
    writeSocketError(
      this.req,
      this.socket,
      error,
      this.ctx.requestId,
      this.shared.options.serverHeader,
    );
  }
}

const RESPONSE_DROP_WITH_LENGTH = new Set([...RESPONSE_DROP, 'content-length']);
