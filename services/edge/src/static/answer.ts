/**
 * What the fast paths answer a table hit with, whatever the protocol: the
 * representation, the status and the bytes (none for HEAD and 304). Both
 * the node:http fast path (fast-path.ts) and the h2 stream one
 * (fast-path-h2.ts) call this, so they cannot drift apart.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { evaluate } from './preconditions.ts';
import { type MemoryRepresentation, type StaticTable, selectRepresentation } from './table.ts';

export interface TableAnswer {
  readonly status: 200 | 206 | 304;
  readonly rep: MemoryRepresentation;
  readonly body: Buffer | undefined;
  /** The 206's inclusive byte range; 0 otherwise. */
  readonly start: number;
  readonly end: number;
}

/** Undefined: not a GET/HEAD table hit the fast path answers (412, 416, a miss); Fastify does. */
export function tableAnswer(
  table: StaticTable,
  method: string | undefined,
  url: string | undefined,
  headers: IncomingHttpHeaders,
): TableAnswer | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (url === undefined) return undefined;
  const resource = table.byUrl(url);
  if (resource === undefined) return undefined;
  const rep = selectRepresentation(resource, headers['accept-encoding']);
  const outcome = evaluate(rep, method, headers);
  const get = method === 'GET';
  if (outcome.status === 200) {
    return { status: 200, rep, body: get ? rep.body : undefined, start: 0, end: 0 };
  }
  if (outcome.status === 304) return { status: 304, rep, body: undefined, start: 0, end: 0 };
  if (outcome.status === 206) {
    const { start, end } = outcome;
    return { status: 206, rep, body: rep.body.subarray(start, end + 1), start, end };
  }
  return undefined;
}
