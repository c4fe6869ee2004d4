/**
 * HTTP/2 clients, proxied to HTTP/1.1 upstreams. Node's compatibility API
 * (Http2ServerRequest/Response) looks like node:http's objects, with two
 * differences the proxy minds: the request's fields include the
 * pseudo-headers (`:method`, `:path`, `:scheme`, `:authority`), which are
 * no HTTP/1.1 fields, and `Host` is usually absent, `:authority` standing
 * for it (RFC 9113 §8.3.1). Connection-specific fields are never written on
 * an h2 response: the proxy drops them from every response already
 * (headers.ts), and the edge's own `Connection: close` is skipped on h2,
 * where closing is a GOAWAY for the whole session.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export function isH2(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 2;
}

/** The request's `Host`: its own field, else `:authority` on h2. */
export function hostOf(req: IncomingMessage): string | undefined {
  const headers = req.headers;
  return headers.host ?? (isH2(req) ? (headers[':authority'] as string | undefined) : undefined);
}

/**
 * An h2 request's fields as an HTTP/1.1 request carries them: the
 * pseudo-headers left out, `:authority` as `Host` when no `Host` came.
 */
export function h1Fields(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (name.charCodeAt(0) !== 58) out[name] = headers[name];
  }
  const authority = headers[':authority'];
  if (out.host === undefined && typeof authority === 'string') out.host = authority;
  return out;
}

/**
 * Whether a request has a body to forward. HTTP/1.1 says so in its
 * framing fields; an h2 request needs neither (DATA frames carry the body,
 * `Content-Length` is optional), so there it is whether the client ended
 * the stream with its headers.
 */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  if (isH2(req))
    return !(req as unknown as { stream: { endAfterHeaders: boolean } }).stream.endAfterHeaders;
  return req.headers['transfer-encoding'] !== undefined;
}
