/**
 * Which protocol and TLS version a request came over, for its access-log
 * line and the metrics: read once per connection (`rememberVersion` on the
 * TLS handshake) and handed out as one shared object per combination, so a
 * request allocates nothing. Plain-HTTP requests have none (their log line
 * is unchanged).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface Transport {
  readonly proto: 'h1' | 'h2';
  /** `TLSv1.3`, `TLSv1.2`. */
  readonly tls: string;
  /** `h2 TLSv1.3`: the metrics' key. */
  readonly key: string;
}

const kVersion = Symbol('edge.tlsVersion');
interface VersionedSocket extends TLSSocket {
  [kVersion]?: string;
}

const known = new Map<string, Transport>();

/** On 'secureConnection': the negotiated version, kept on the socket. */
export function rememberVersion(socket: TLSSocket): void {
  (socket as VersionedSocket)[kVersion] = socket.getProtocol() ?? 'unknown';
}

const kTransport = Symbol('edge.transport');
interface TransportRequest extends IncomingMessage {
  [kTransport]?: Transport;
}

/**
 * The listener calls this as each request arrives, and the answer is kept
 * on the request: on h2, `req.socket` (Node's proxy of the session's TLS
 * socket) stops reading through once the stream has closed, which is when
 * the access log asks.
 */
export function transportOf(req: IncomingMessage): Transport | undefined {
  const seen = (req as TransportRequest)[kTransport];
  if (seen !== undefined) return seen;
  const transport = transportOfSocket(req.socket, req.httpVersionMajor === 2 ? 'h2' : 'h1');
  if (transport !== undefined) (req as TransportRequest)[kTransport] = transport;
  return transport;
}

/** For a request with no IncomingMessage (the h2 stream fast path): from its session's socket. */
export function transportOfSocket(
  socket: object | null,
  proto: 'h1' | 'h2',
): Transport | undefined {
  const version = (socket as VersionedSocket | null)?.[kVersion];
  if (version === undefined) return undefined;
  const key = `${proto} ${version}`;
  let transport = known.get(key);
  if (transport === undefined) {
    transport = { proto, tls: version, key };
    known.set(key, transport);
  }
  return transport;
}
