/**
 * nginx's lingering close for answers sent before the request body was read
 * (413, and any refusal that closes the connection): closing a socket whose
 * receive buffer still holds the client's body makes the kernel send a RST,
 * and a client still writing then gets ECONNRESET/EPIPE, often before it
 * read the answer. So the edge half-closes instead, reads and drops what the
 * client still sends, and closes once the client stops (its FIN, or
 * `idleMs` without a byte) or after `totalMs` in all
 * (https://nginx.org/en/docs/http/ngx_http_core_module.html#lingering_close).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.ts';

/** EDGE_LINGER_MS (nginx's `lingering_time`) and EDGE_LINGER_IDLE_MS (its `lingering_timeout`). */
export type LingerOptions = Pick<Config, 'lingerMs' | 'lingerIdleMs'>;

interface LingeringSocket extends Socket {
  lingerOptions?: LingerOptions;
}

/**
 * Arms the lingering close for `req`'s connection when its body is not all
 * read. node:http (lib/_http_server.js, resOnFinish) calls
 * `socket.destroySoon()` once a `Connection: close` response has finished,
 * which ends the socket and destroys it as soon as the answer is flushed;
 * this socket's own `destroySoon` lingers first. A response that keeps the
 * connection never calls it: Node then reads and drops the rest of the
 * body itself (`req._dump()`), and no RST is sent.
 */
export function lingerIfUnread(
  req: IncomingMessage,
  res: ServerResponse,
  options: LingerOptions,
): void {
  // h2: the connection is every stream's; a refused stream ends alone (h2.ts).
  if (req.complete || options.lingerMs === 0 || req.httpVersionMajor === 2) return;
  const socket = req.socket as LingeringSocket;
  socket.lingerOptions = options;
  socket.destroySoon = lingeringDestroySoon;
  // For this response only: node:http's own 'finish' listener (added before
  // any of ours) has called destroySoon by now, or never will, so a later
  // response on a kept-alive connection closes as usual.
  res.once('finish', () => {
    if (socket.destroySoon === lingeringDestroySoon) Reflect.deleteProperty(socket, 'destroySoon');
  });
}

function lingeringDestroySoon(this: LingeringSocket): void {
  if (this.destroyed) return;
  // Node's HTTP parser must not see what follows: bytes past the refused
  // body would parse as a new request and reach the app. Adding a 'data'
  // listener through node:http's wrapper takes the parser off the socket
  // (unconsume), and removing node:http's own 'data' listener stops the
  // rest; nothing is kept, only dropped.
  this.removeAllListeners('data');
  lingerAndClose(this, this.lingerOptions as LingerOptions);
}

/**
 * Ends `socket` after what was written to it, then reads and drops what the
 * client still sends and destroys it on the client's FIN, `lingerIdleMs`
 * without a byte, or `lingerMs` in all. Also for a socket no HTTP parser
 * owns any more (an upgrade's answer): a half-open socket the client never
 * closes would otherwise stay open for ever.
 */
export function lingerAndClose(socket: Socket, options: LingerOptions): void {
  if (socket.destroyed) return;
  if (options.lingerMs === 0) {
    socket.destroySoon();
    return;
  }
  socket.on('data', discard);
  socket.on('end', destroy);
  socket.on('error', destroy);
  socket.setTimeout(options.lingerIdleMs, destroy);
  const total = setTimeout(() => socket.destroy(), options.lingerMs);
  socket.once('close', () => clearTimeout(total));
  // FIN after the answer; the read side stays open (node:http servers
  // are allowHalfOpen).
  socket.end();
  socket.resume();
}

function discard(): void {}

function destroy(this: Socket): void {
  this.destroy();
}
