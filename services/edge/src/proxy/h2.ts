/**
 * HTTP/2 clients, proxied to HTTP/1.1 upstreams. Node's compatibility API
 * (Http2ServerRequest/Response) looks like node:http's objects, with two
 * differences the proxy minds: the request's fields include the
 * pseudo-headers (`:method`, `:path`, `:scheme`, `:authority`), which are
 * no HTTP/1.1 fields, and `Host` is usually absent, `:authority` standing
 * for it (RFC 9113 §8.3.1). Connection-specific fields are never written on
 * an h2 response: the proxy drops them from every response already
 * (headers.ts), and the edge's own `Connection: close` is skipped on h2,
 * where closing is a GOAWAY for the whole session. Upstream trailers are
 * passed on to h2 clients (`passTrailers`), HTTP/1.1 clients get none.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { connectionListed, RESPONSE_DROP } from './headers.ts';

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

/**
 * Fields a trailer section must not carry (RFC 9110 §6.5.1: framing,
 * routing, caching, authentication, content metadata): a client could not
 * act on them after the body, and Node would refuse some of them (a
 * connection-specific field thrown while the stream ends would take the
 * worker down).
 */
const NOT_IN_TRAILERS = new Set([
  'age',
  'authorization',
  'cache-control',
  'content-encoding',
  'content-length',
  'content-range',
  'content-type',
  'date',
  'expires',
  'host',
  'location',
  'max-forwards',
  'retry-after',
  'set-cookie',
  'vary',
  'www-authenticate',
]);

/**
 * An upstream's HTTP/1.1 trailers (chunked encoding) as the h2 response's
 * trailing HEADERS frame (Node's compatibility API sends what `addTrailers`
 * collected once the body is out): connection-specific fields, pseudo-
 * headers and the fields above left out, repeated fields joined into one
 * line so no single-value rule can throw later. HTTP/1.1 clients get none
 * (nginx drops them too: a client there must ask with `TE: trailers`).
 */
export function passTrailers(
  req: IncomingMessage,
  res: ServerResponse,
  trailers: IncomingHttpHeaders | null | undefined,
  connection?: string | string[] | undefined,
): void {
  if (trailers == null || !isH2(req)) return;
  const h2 = res as unknown as Http2ServerResponse;
  // RFC 9110 §7.6.1: what the head's Connection names is hop-by-hop, trailers included.
  const listed = connectionListed(connection);
  for (const name in trailers) {
    if (name.charCodeAt(0) === 58 || RESPONSE_DROP.has(name) || NOT_IN_TRAILERS.has(name)) {
      continue;
    }
    if (listed?.has(name)) continue;
    const value = trailers[name];
    if (value === undefined) continue;
    try {
      h2.addTrailers({ [name]: typeof value === 'string' ? value : value.join(', ') });
    } catch {
      // A field Node refuses (an invalid character): that one is left out.
    }
  }
}
