/**
 * The edge's own error answers, in the shared shape (the root README, "Contracts between the containers"):
 * JSON, or the small HTML page for a browser.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errorBody, errorHtml, prefersHtml } from '@stack/shared';
import { type LingerOptions, lingerAndClose } from './linger.ts';

export interface EdgeError {
  status: number;
  code: string;
  message: string;
}

export const NO_UPSTREAM: EdgeError = {
  status: 503,
  code: 'no_upstream',
  message: 'No upstream address is available',
};
export const UPSTREAM_UNREACHABLE: EdgeError = {
  status: 502,
  code: 'upstream_unreachable',
  message: 'The upstream could not be reached or failed to answer',
};
export const UPSTREAM_TIMEOUT: EdgeError = {
  status: 504,
  code: 'upstream_timeout',
  message: 'The upstream did not answer in time',
};
export const BODY_TOO_LARGE: EdgeError = {
  status: 413,
  code: 'body_too_large',
  message: 'The request body is larger than allowed',
};
export const BAD_HOST: EdgeError = {
  status: 400,
  code: 'bad_host',
  message: 'The request must carry one valid Host header',
};
export const RATE_LIMITED: EdgeError = {
  status: 429,
  code: 'rate_limited',
  message: 'Too many requests',
};

function render(error: EdgeError, requestId: string, accept: string | undefined) {
  const body = errorBody(error.status, error.code, error.message, requestId);
  return prefersHtml(accept)
    ? { type: 'text/html; charset=utf-8', text: errorHtml(body) }
    : { type: 'application/json; charset=utf-8', text: JSON.stringify(body) };
}

export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: EdgeError,
  requestId: string,
  serverHeader: string,
  extra?: OutgoingHttpHeaders,
): void {
  const { type, text } = render(error, requestId, req.headers.accept);
  const headers: OutgoingHttpHeaders = {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-request-id': requestId,
    ...extra,
  };
  if (serverHeader) headers.server = serverHeader;
  res.writeHead(error.status, headers);
  res.end(req.method === 'HEAD' ? undefined : text);
}

/**
 * The same answer written straight to a socket, for a refused WebSocket
 * upgrade; the socket then closes as a refused body's does (linger.ts).
 */
export function writeSocketError(
  req: IncomingMessage,
  socket: Duplex,
  error: EdgeError,
  requestId: string,
  options: LingerOptions & { serverHeader: string },
  extra?: Record<string, string>,
): void {
  const serverHeader = options.serverHeader;
  const { type, text } = render(error, requestId, req.headers.accept);
  let fields = serverHeader ? `server: ${serverHeader}\r\n` : '';
  for (const name in extra) fields += `${name}: ${extra[name]}\r\n`;
  socket.write(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n${fields}content-type: ${type}\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\ncache-control: no-store\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${text}`,
  );
  // node:http hands the upgrade listener a net.Socket (a TLS one under TLS).
  lingerAndClose(socket as Socket, options);
}
