/**
 * WebSocket pass-through: the handshake goes to an upstream address through
 * undici; on 101 the two sockets are joined byte for byte, until either side
 * closes or no byte moved either way for `tunnelIdleMs` (nginx closes an
 * idle tunnel after `proxy_read_timeout`, 60 s by default). An upstream that
 * refuses the upgrade has its ordinary response relayed, paced by the client
 * as `exchange.ts` paces every response. What is admitted at all is decided
 * before (index.ts, `refusal`), for both paths at once.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ProxyContext, Shared } from './context.ts';
import {
  type EdgeError,
  NO_UPSTREAM,
  UPSTREAM_TIMEOUT,
  UPSTREAM_UNREACHABLE,
  writeSocketError,
} from './errors.ts';
import { appendEdgeFields, connectionListed, namesWebSocket, passesResponse } from './headers.ts';
import { lingerAndClose } from './linger.ts';
import type { Upstream } from './upstreams.ts';

type Headers = Record<string, string | string[] | undefined>;

/**
 * A response head by the ordinary path's rules (`passesResponse`, then the
 * edge's own fields). A 101 keeps `Upgrade` and `Connection`: the handshake
 * fields are exactly the hop-by-hop ones this hop must forward.
 */
function responseHead(
  statusCode: number,
  headers: Headers,
  handshake: boolean,
  requestId: string,
  serverHeader: string,
): string {
  const listed = headers.connection === undefined ? null : connectionListed(headers.connection);
  const out: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!passesResponse(name, listed) && !(handshake && HANDSHAKE.has(name))) continue;
    // A relayed refusal is delimited by the close (undici has de-chunked it).
    if (!handshake && name === 'content-length') continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
  appendEdgeFields(out, requestId, serverHeader);
  let text = `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}\r\n`;
  for (let i = 0; i < out.length; i += 2) text += `${out[i]}: ${out[i + 1]}\r\n`;
  return text;
}

const HANDSHAKE = new Set(['upgrade', 'connection']);

export class UpgradeExchange implements Dispatcher.DispatchHandler {
  readonly shared: Shared;
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly ctx: ProxyContext;
  upstream: Upstream | null = null;
  controller: Dispatcher.DispatchController | null = null;
  answered = false;
  drainHooked = false;
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
        {
          path: this.req.url as string,
          method: this.req.method as string,
          headers,
          upgrade,
          body: null,
        },
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
    // The upstream switches to WebSocket or not at all: a 101 to another
    // protocol (h2c) would open a tunnel past every rule of the edge.
    if (!namesWebSocket(headers.upgrade)) {
      upstream.destroy();
      this.fail(UPSTREAM_UNREACHABLE);
      return;
    }
    this.answered = true;
    this.ctx.upstreamStatus = statusCode;
    this.ctx.upstreamMs = performance.now() - this.t0;
    this.shared.counters.response(statusCode);
    const client = this.socket;
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    const { options, counters } = this.shared;
    // latin1, as writeHead on the ordinary path: header bytes pass unchanged.
    client.write(
      `${responseHead(statusCode, headers, true, this.ctx.requestId, options.serverHeader)}\r\n`,
      'latin1',
    );
    if (this.head.length > 0) upstream.write(this.head);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    const tunnels = this.shared.tunnels;
    tunnels.add(client);
    client.on('close', () => {
      tunnels.delete(client);
      upstream.destroy();
    });
    // The client socket's timer sees every byte of both directions: what the
    // client sends is read from it, what the upstream sends is written to it.
    if (options.tunnelIdleMs > 0) {
      // A net.Socket (or TLS socket) whatever node:http's types say.
      (client as Socket).setTimeout(options.tunnelIdleMs, () => {
        counters.tunnelIdleCloses++;
        client.destroy();
      });
    }
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
    const head = responseHead(
      statusCode,
      headers,
      false,
      this.ctx.requestId,
      this.shared.options.serverHeader,
    );
    this.socket.write(`${head}${framing}connection: close\r\n\r\n`, 'latin1');
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.socket.write(chunk)) return;
    controller.pause();
    if (!this.drainHooked) {
      this.drainHooked = true;
      this.socket.on('drain', () => this.controller?.resume());
    }
  }

  onResponseEnd(): void {
    this.ctx.upstreamMs = performance.now() - this.t0;
    lingerAndClose(this.socket as Socket, this.shared.options);
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
    this.ctx.edgeStatus = error.status;
    this.shared.counters.response(error.status);
    writeSocketError(this.req, this.socket, error, this.ctx.requestId, this.shared.options);
  }
}
