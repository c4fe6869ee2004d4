/**
 * The hot path: a GET or HEAD for a name in the table, answered from memory
 * in the node:http handler before Fastify routes the request (README,
 * "What each choice cost or bought": Fastify's routing, hooks and reply
 * object are most of a 1 KiB response's cost). It answers 200, 206 and 304
 * with precomputed headers; anything else (412, 416, a miss) returns false
 * and Fastify answers, from the same table and the same preconditions.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, requestIdFrom } from '@stack/shared';
import type { AccessLog } from '../access-log.ts';
import type { Lifecycle } from '../lifecycle.ts';
import { transportOf } from '../tls/transport.ts';
import { tableAnswer } from './answer.ts';
import { partialHeaders } from './representation.ts';
import type { StaticTable } from './table.ts';

export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Where table hits are counted (metrics.ts's EdgeCounters). */
export interface HitCounter {
  staticTableHits: number;
}

export function createFastPath(
  table: StaticTable,
  lifecycle: Lifecycle,
  log: AccessLog,
  hits: HitCounter = { staticTableHits: 0 },
): FastPath {
  return (req, res) => {
    const started = performance.now();
    const headers = req.headers;
    const answer = tableAnswer(table, req.method, req.url, headers);
    if (answer === undefined) return false;
    const { status, rep, body } = answer;
    const head =
      status === 200
        ? rep.rawHeaders.slice()
        : status === 304
          ? rep.rawNotModifiedHeaders.slice()
          : Object.entries(partialHeaders(rep, answer.start, answer.end)).flat();
    const requestId = requestIdFrom(headers[REQUEST_ID_HEADER]);
    head.push(REQUEST_ID_HEADER, requestId);
    // On h2 the session closes with GOAWAY; a `Connection` field is not allowed there.
    if (lifecycle.closing && req.httpVersionMajor !== 2) head.push('connection', 'close');
    res.writeHead(status, head);
    res.end(body);
    hits.staticTableHits++;
    const ms = performance.now() - started;
    const { method, url } = req as { method: string; url: string };
    log(method, url, status, body?.length ?? 0, ms, requestId, undefined, transportOf(req));
    return true;
  };
}
