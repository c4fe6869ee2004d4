/**
 * A scripted upstream behind the proxy with its cache on: each test says
 * what the upstream answers and counts what reached it.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';
import type { ProxyOptions } from '../../src/proxy/index.ts';
import {
  type Edge,
  type Reply,
  type Send,
  send,
  startEdge,
  startUpstream,
  type Upstream,
  upstreamUrl,
} from '../proxy/helpers.ts';

export { type Reply, sleep, until } from '../proxy/helpers.ts';

export interface Scripted {
  edge: Edge;
  upstream: Upstream;
  /** Requests the upstream saw, with their fields. */
  requests: IncomingMessage[];
  get(path?: string, headers?: Record<string, string>): Promise<Reply>;
  send(options: Send): Promise<Reply>;
  /** GET and HEAD requests the upstream saw for `path`. */
  hits(path?: string): number;
}

export type Answer = (req: IncomingMessage, res: ServerResponse) => void;

/** An answer with these fields and body. */
export function answer(headers: OutgoingHttpHeaders, body = 'body', status = 200): Answer {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
}

export async function scripted(
  t: TestContext,
  handler: Answer,
  options: Partial<ProxyOptions> = {},
): Promise<Scripted> {
  const requests: IncomingMessage[] = [];
  const upstream = await startUpstream(t, (req, res) => {
    requests.push(req);
    handler(req, res);
  });
  // No compression unless a test asks: bodies stay readable as sent.
  const edge = await startEdge(t, {
    upstream: upstreamUrl(upstream.port, '127.0.0.1'),
    compressMinBytes: 0,
    ...options,
  });
  return {
    edge,
    upstream,
    requests,
    get: (path = '/r', headers = {}) => send(edge.port, { path, headers }),
    send: (o) => send(edge.port, o),
    hits: (path = '/r') =>
      requests.filter((r) => r.url === path && (r.method === 'GET' || r.method === 'HEAD')).length,
  };
}
