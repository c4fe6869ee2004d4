/**
 * Answers written straight to a socket that no request/response pair owns:
 * a request Node's parser rejected, or an upgrade the edge refuses.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errorBody, REQUEST_ID_HEADER } from '@stack/shared';
import { codeFor } from './errors.ts';
import { type LingerOptions, lingerAndClose } from './proxy/index.ts';

// See edge.ts: a static import of node:http costs 13 MiB per worker.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

/**
 * An answer written straight to a socket no request/response pair owns;
 * with `linger`, one no parser owns either (an upgrade), closed by linger.ts.
 */
export function endSocket(
  socket: Duplex,
  status: number,
  message: string,
  requestId: string,
  linger?: LingerOptions,
): void {
  const body = JSON.stringify(errorBody(status, codeFor(status), message, requestId));
  const text =
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n` +
    `connection: close\r\n\r\n${body}`;
  if (linger === undefined) return void socket.end(text);
  socket.write(text);
  lingerAndClose(socket as Socket, linger);
}

/** Requests Node's parser rejects never reach a handler; they still get the shared shape. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
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
  endSocket(socket, status, 'malformed request', randomUUID());
}
