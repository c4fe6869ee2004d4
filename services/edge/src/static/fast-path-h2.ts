/**
 * The fast path on h2: a table hit answered on the core stream API, before
 * Node's compatibility layer builds an Http2ServerRequest/Response pair for
 * it. Those objects, their header objects and writeHead's translation were
 * most of the CPU an h2 1 KiB response cost (docs/benchmarks.md); the answer
 * is fast-path.ts's, from the same tableAnswer, with the same headers (the
 * HTTPS port's HSTS included), log line, hit and request counts. Anything
 * else (a miss, 412/416, a request with a body or `Expect`) goes on to the
 * compatibility layer and the edge's routing unchanged.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Http2SecureServer, ServerHttp2Stream } from 'node:http2';
import { REQUEST_ID_HEADER, requestIdFrom } from '@stack/shared';
import type { AccessLog } from '../access-log.ts';
import { type Transport, transportOfSocket } from '../tls/transport.ts';
import { tableAnswer } from './answer.ts';
import type { HitCounter } from './fast-path.ts';
import { partialHeaders } from './representation.ts';
import type { StaticTable } from './table.ts';

export type StreamFastPath = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;

export interface H2FastPathOptions {
  table: StaticTable;
  log: AccessLog;
  hits: HitCounter;
  /** `Strict-Transport-Security`'s value; empty: none. */
  hsts: string;
  /** Counts the request by transport, as the listener counts the ones it routes. */
  countRequest: (transport: Transport | undefined) => void;
}

const kTransport = Symbol('edge.h2Transport');
type Session = NonNullable<ServerHttp2Stream['session']> & { [kTransport]?: Transport | null };

/** Once per session: its socket is a Proxy, and the key a string built each time. */
function transportOfSession(session: Session | undefined): Transport | undefined {
  if (session === undefined) return undefined;
  let transport = session[kTransport];
  if (transport === undefined) {
    transport = transportOfSocket(session.socket, 'h2') ?? null;
    session[kTransport] = transport;
  }
  return transport ?? undefined;
}

// A client's RST_STREAM with an error code is an 'error' on the stream: not the worker's.
const ignore = (): void => {};

/**
 * A 200 or 304 head as node:http2's raw header list (`[name, value, …]`),
 * built once per representation and status: `respond` with an object
 * flattens and checks every field on every request (docs/benchmarks.md,
 * "The h2 fast path's heads"). The request's own id is pushed onto a copy.
 */
function rawHeadCache(hsts: string) {
  const heads = new WeakMap<object, readonly string[]>();
  return (status: 200 | 304, fields: Readonly<Record<string, string>>): string[] => {
    let head = heads.get(fields);
    if (head === undefined) {
      const built = [':status', String(status)];
      for (const name in fields) built.push(name, String(fields[name]));
      if (hsts !== '') built.push('strict-transport-security', hsts);
      head = built;
      heads.set(fields, head);
    }
    return head.slice();
  };
}

export function createH2FastPath(options: H2FastPathOptions): StreamFastPath {
  const { table, log, hits, hsts, countRequest } = options;
  const rawHead = rawHeadCache(hsts);
  return (stream, headers) => {
    // A body would be left unread; `Expect` wants the compatibility layer's checkContinue.
    if (!stream.endAfterHeaders || headers.expect !== undefined || stream.destroyed) return false;
    const started = performance.now();
    const method = headers[':method'] as string | undefined;
    const url = headers[':path'] as string | undefined;
    const answer = tableAnswer(table, method, url, headers);
    if (answer === undefined) return false;
    const transport = transportOfSession(stream.session);
    countRequest(transport);
    stream.on('error', ignore);
    const { status, rep, body } = answer;
    const requestId = requestIdFrom(headers[REQUEST_ID_HEADER]);
    let head: OutgoingHttpHeaders | string[];
    if (status === 200 || status === 304) {
      head = rawHead(status, status === 200 ? rep.headers : rep.notModifiedHeaders);
      head.push(REQUEST_ID_HEADER, requestId);
    } else {
      // 206: its Content-Range is per request; rare enough to keep the object.
      head = { ':status': status, ...partialHeaders(rep, answer.start, answer.end) };
      if (hsts !== '') head['strict-transport-security'] = hsts;
      head[REQUEST_ID_HEADER] = requestId;
    }
    if (body === undefined) {
      stream.respond(head, { endStream: true });
    } else {
      stream.respond(head);
      stream.end(body);
    }
    hits.staticTableHits++;
    const ms = performance.now() - started;
    log(
      method as string,
      url as string,
      status,
      body?.length ?? 0,
      ms,
      requestId,
      undefined,
      transport,
    );
    return true;
  };
}

type StreamListener = (
  this: Http2SecureServer,
  stream: ServerHttp2Stream,
  ...rest: unknown[]
) => void;

/**
 * Puts `answer` in front of the server's 'stream' listeners (the
 * compatibility layer's, which node:http2 adds with the first 'request'
 * listener): they run only for the streams it declines.
 */
export function answerStreamsFirst(server: Http2SecureServer, answer: StreamFastPath): void {
  const later = server.listeners('stream') as StreamListener[];
  server.removeAllListeners('stream');
  server.on('stream', function (this: Http2SecureServer, stream, headers, ...rest: unknown[]) {
    if (answer(stream, headers)) return;
    for (const listener of later) listener.call(this, stream, headers, ...rest);
  });
}
