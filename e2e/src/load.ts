/**
 * A bounded load loop for the fault tests: `connections` clients, each
 * sending one request after another over its own keep-alive connection
 * until `durationMs` has passed or `maxRequests` were sent, whichever comes
 * first. Nothing is retried: undici's Pool sends each request once and
 * reports what happened, so a failure the edge let through is counted.
 * Each request bypasses the edge's cache (BYPASS_CACHE).
 */
import { Pool } from 'undici';
import { CREATE, createBody, JSON_HEADERS, listPath } from './domain.ts';
import { BYPASS_CACHE } from './http.ts';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface Failure {
  atMs: number;
  request: string;
  /** 0 when no response came (reset, refused, timeout). */
  status: number;
  detail: string;
}

export interface LoadResult {
  sent: number;
  byMethod: Record<string, number>;
  /** Responses per `X-Instance-Id`. */
  byInstance: Map<string, number>;
  failures: Failure[];
  seconds: number;
}

export interface LoadOptions {
  connections?: number;
  durationMs: number;
  maxRequests: number;
  /** The i-th request of the run. */
  next: (i: number) => LoadRequest;
  /** Stops the loop early (the test's step is over). */
  signal?: AbortSignal;
  /** Called for every response, e.g. to see when a new replica answers. */
  onResponse?: (status: number, instance: string | undefined) => void;
}

/** Every request a load loop sends is a GET of the list. */
export const getList = (): LoadRequest => ({ method: 'GET', path: listPath({ limit: 5 }) });

/** Every `n`-th request creates a record, the rest read the list. */
export const postEvery =
  (n: number) =>
  (i: number): LoadRequest =>
    i % n === n - 1
      ? {
          method: CREATE.method,
          path: CREATE.path,
          body: createBody('Load', `request ${i}`),
        }
      : getList();

/** Every fourth request creates a record, the rest read the list. */
export const mixed = postEvery(4);

export async function runLoad(origin: string, options: LoadOptions): Promise<LoadResult> {
  const connections = options.connections ?? 8;
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const result: LoadResult = {
    sent: 0,
    byMethod: {},
    byInstance: new Map(),
    failures: [],
    seconds: 0,
  };
  const started = performance.now();
  const done = () =>
    options.signal?.aborted ||
    result.sent >= options.maxRequests ||
    performance.now() - started >= options.durationMs;

  async function client(): Promise<void> {
    while (!done()) {
      const req = options.next(result.sent);
      result.sent += 1;
      result.byMethod[req.method] = (result.byMethod[req.method] ?? 0) + 1;
      const label = `${req.method} ${req.path}`;
      const atMs = Math.round(performance.now() - started);
      try {
        const res = await pool.request({
          method: req.method,
          path: req.path,
          // Every request reaches a replica: these loops prove the proxy.
          headers: req.body ? { ...BYPASS_CACHE, ...JSON_HEADERS } : BYPASS_CACHE,
          ...(req.body ? { body: req.body } : {}),
        });
        const text = await res.body.text();
        const instance = res.headers['x-instance-id'];
        const id = typeof instance === 'string' ? instance : undefined;
        if (id) result.byInstance.set(id, (result.byInstance.get(id) ?? 0) + 1);
        options.onResponse?.(res.statusCode, id);
        const expected = req.method === 'POST' ? 201 : 200;
        if (res.statusCode !== expected) {
          result.failures.push({ atMs, request: label, status: res.statusCode, detail: text });
        }
      } catch (error) {
        result.failures.push({ atMs, request: label, status: 0, detail: String(error) });
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: connections }, client));
  } finally {
    await pool.close();
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** The `# ` line a load test prints: what was sent, and how it went. */
export function describeLoad(name: string, result: LoadResult): string {
  const methods = Object.entries(result.byMethod)
    .map(([method, count]) => `${count} ${method}`)
    .join(', ');
  const instances = [...result.byInstance.values()].join('/');
  return `# ${name}: ${result.sent} requests (${methods}) in ${result.seconds.toFixed(1)} s, ${result.failures.length} failed; per replica ${instances}`;
}
