/** Small HTTP helpers for talking to the edge's published port. */
import assert from 'node:assert/strict';
import { type IncomingHttpHeaders, request } from 'node:http';
import { sleep } from './containers.ts';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId: string;
}

/** Asserts the shared error shape (services/shared) with one of the allowed codes. */
export async function assertErrorResponse(
  res: Response,
  statuses: readonly number[],
  codes: readonly string[],
): Promise<ErrorBody> {
  const text = await res.text();
  assert.ok(statuses.includes(res.status), `status ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, text);
  const body = JSON.parse(text) as ErrorBody;
  assert.equal(body.statusCode, res.status, text);
  assert.ok(codes.includes(body.code), `code ${body.code}, expected one of ${codes.join(', ')}`);
  assert.equal(typeof body.message, 'string');
  assert.equal(body.requestId, res.headers.get('x-request-id'), 'the body names the request id');
  return body;
}

/**
 * Polls `check` until it returns without throwing, then returns its value;
 * after `timeoutMs` rethrows the last failure.
 */
export async function eventually<T>(
  check: () => Promise<T>,
  { timeoutMs = 30_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(intervalMs);
    }
  }
}

/**
 * Request fields that keep the edge's shared cache out of a request: it
 * neither answers from nor stores for a request with `no-store`. For the
 * suites that prove the proxy itself (routing, failover, drains, request
 * ids reaching the app): with the cache in the way, a read the app lets it
 * keep would be answered by the edge and those would prove nothing.
 */
export const BYPASS_CACHE = { 'cache-control': 'no-store' } as const;

/** The `/static/...` paths a page names in `href` and `src` attributes. */
export function staticPaths(html: string): string[] {
  return [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1] ?? '');
}

/** fetch that reports a network failure as undefined instead of throwing. */
export async function tryFetch(url: string, init?: RequestInit): Promise<Response | undefined> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(10_000), ...init });
  } catch {
    return undefined;
  }
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request whose path is sent byte for byte (fetch and URL normalise `..`
 * and percent-encodings away, which is exactly what traversal tests must not
 * do), on a new connection.
 */
export function rawRequest(
  origin: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      // agent: false, a connection of its own: what a new client does.
      {
        host: hostname,
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`${path}: no answer in 15 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
