/**
 * The edge's shared cache (RFC 9111) in front of the proxy's upstream
 * exchange, for GET and HEAD: a fresh stored answer is served at once, a
 * stale one revalidated, a miss coalesced and maybe stored while it
 * streams. Unsafe methods only get an invalidation tap. See README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyContext, ResponseTap } from '../proxy/context.ts';
import { sendError } from '../proxy/errors.ts';
import type { ProxyOptions } from '../proxy/options.ts';
import type { Counters } from '../proxy/stats.ts';
import { CacheCore, fieldOf, keyOf } from './core.ts';
import { Fill, type LibraryRequest } from './fill.ts';
import { Invalidation, UNSAFE } from './invalidate.ts';
import { onlyIfCached, requestForbidsStore, requestOf, staleAllowed, ttlOf } from './policy.ts';
import { serveEntry, serveFresh } from './serve.ts';
import { ageAt, storedFields } from './snapshot.ts';
import type { CacheStats } from './stats.ts';
import { type Forward, hitStatus, onlyIfCachedStatus, staleStatus } from './status.ts';
import type { Entry } from './store.ts';

export {
  addCacheStats,
  type CacheStats,
  cacheStatsToPrometheus,
  emptyCacheStats,
} from './stats.ts';

/** Sends the request upstream with these fields, the tap watching the answer. */
export type Forwarder = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ProxyContext,
  headers: string[],
  tap: ResponseTap | null,
) => void;

/** Sends a GET upstream that no client waits for (a stale-while-revalidate refresh). */
export type Refresher = (path: string, headers: string[], tap: ResponseTap) => void;

export interface EdgeCache {
  /** A GET or HEAD: answered from the store, or forwarded (after waiting for a concurrent fill). */
  handle(req: IncomingMessage, res: ServerResponse, ctx: ProxyContext, headers: string[]): void;
  /** The tap of an unsafe request (POST, PUT, PATCH, DELETE), or null for any other method. */
  invalidation(req: IncomingMessage, headers: string[]): ResponseTap | null;
  stats(): CacheStats;
}

const NOT_CACHED = {
  status: 504,
  code: 'not_cached',
  message: 'The request asked for a stored response only, and none is stored',
};

/** The validators the edge asks with replace the client's own (its answer is the edge's to judge). */
const CONDITIONAL = new Set([
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
]);

function conditional(headers: readonly string[], entry: Entry): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!CONDITIONAL.has(name)) out.push(name, headers[i + 1] as string);
  }
  const stored = entry.policy.responseHeaders();
  const etag = stored.etag;
  const lastModified = stored['last-modified'];
  if (typeof etag === 'string') out.push('if-none-match', etag);
  if (typeof lastModified === 'string') out.push('if-modified-since', lastModified);
  return out;
}

const NO_CACHE = /(?:^|,)\s*no-cache\b/i;

export function createCache(
  options: ProxyOptions,
  responses: Counters,
  forward: Forwarder,
  refresh: Refresher,
): EdgeCache {
  const core = new CacheCore(options, responses);
  const { store, coalescer, counters } = core;

  function lookup(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ProxyContext,
    headers: string[],
    waited: boolean,
  ): void {
    if (res.destroyed) return;
    const host = fieldOf(headers, 'host');
    const key = keyOf(fieldOf(headers, 'x-forwarded-proto'), host, req.url as string);
    const cc = req.headers['cache-control'];
    if (requestForbidsStore(cc)) {
      if (!waited) counters.misses++;
      forward(req, res, ctx, headers, null);
      return;
    }
    const variants = store.byKey.get(key);
    if (variants !== undefined && freshHit(req, res, ctx, variants, cc)) return;
    // The request in the library's form only when something is stored under
    // the key: a miss on an uncacheable URL, the common case, skips it.
    let request: LibraryRequest | null = null;
    let entry: Entry | null = null;
    if (store.byKey.has(key)) {
      request = requestOf(req, host);
      entry = store.find(key, request.headers);
    }
    let fwd: Forward = 'uri-miss';
    if (entry !== null && request !== null) {
      const evaluated = entry.policy.evaluateRequest(request);
      if (evaluated.revalidation === undefined) {
        counters.hits++;
        store.touch(entry);
        const fields = storedFields(entry.policy, entry.body);
        const status = hitStatus(ttlOf(entry.policy));
        serveEntry(req, res, entry, fields, status, ctx, options, responses);
        return;
      }
      if (
        evaluated.response !== undefined &&
        staleAllowed(entry.policy, 'stale-while-revalidate')
      ) {
        // RFC 5861 §3: answer now, refresh behind it (once per key at a time).
        counters.staleServed++;
        store.touch(entry);
        const status = staleStatus(ttlOf(entry.policy), 'stale-while-revalidate');
        const fields = storedFields(entry.policy, entry.body);
        serveEntry(req, res, entry, fields, status, ctx, options, responses);
        const lock = coalescer.acquire(key);
        if (lock !== null) {
          const tap = new Fill(core, key, host, request, req, res, ctx, lock, 'stale', entry);
          refresh(req.url as string, conditional(headers, entry), tap);
        }
        return;
      }
      // The client asked to revalidate (RFC 9111 §5.2.1.4, §5.4 Pragma), or the entry is stale.
      const asked =
        (cc !== undefined && NO_CACHE.test(cc)) || NO_CACHE.test(req.headers.pragma ?? '');
      fwd = asked ? 'request' : 'stale';
    } else if (store.byKey.has(key)) {
      fwd = 'vary-miss';
    }
    if (onlyIfCached(cc)) {
      responses.response(504);
      sendError(req, res, NOT_CACHED, ctx.requestId, options.serverHeader, {
        'cache-status': onlyIfCachedStatus(),
      });
      return;
    }
    const isGet = req.method === 'GET';
    if (isGet && !waited && fwd !== 'request' && coalescer.busy(key)) {
      counters.coalescedWaits++;
      coalescer.wait(key, () => lookup(req, res, ctx, headers, true));
      return;
    }
    if (!waited) counters.misses++;
    const lock = isGet ? coalescer.acquire(key) : null;
    const sent = entry === null ? headers : conditional(headers, entry);
    forward(
      req,
      res,
      ctx,
      sent,
      new Fill(core, key, host, request, req, res, ctx, lock, fwd, entry),
    );
  }

  /**
   * A plain GET (no `Cache-Control`, no `Pragma`) for a key with one
   * variant that varies on nothing, while it is fresh: served from the
   * entry's snapshot without the library (snapshot.ts says why).
   */
  function freshHit(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ProxyContext,
    variants: readonly Entry[],
    cc: string | undefined,
  ): boolean {
    const entry = variants[0];
    if (variants.length !== 1 || entry === undefined || entry.varyNames.length > 0) return false;
    if (cc !== undefined || req.method !== 'GET' || req.headers.pragma !== undefined) return false;
    const now = Date.now();
    if (now >= entry.snap.freshUntil) return false;
    counters.hits++;
    store.touch(entry);
    const age = ageAt(entry.snap, now);
    const status = hitStatus(Math.round(entry.snap.maxAge - age));
    serveFresh(req, res, entry, age, status, ctx, options, responses);
    return true;
  }

  return {
    handle: (req, res, ctx, headers) => lookup(req, res, ctx, headers, false),
    invalidation: (req, headers) =>
      UNSAFE.has(req.method as string)
        ? new Invalidation(
            core,
            fieldOf(headers, 'x-forwarded-proto'),
            fieldOf(headers, 'host'),
            req.url as string,
          )
        : null,
    stats: () => ({
      hits: counters.hits,
      misses: counters.misses,
      staleServed: counters.staleServed,
      revalidations: counters.revalidations,
      coalescedWaits: counters.coalescedWaits,
      stores: counters.stores,
      evictions: counters.evictions,
      invalidations: counters.invalidations,
      bytes: store.bytes,
      entries: store.entries,
    }),
  };
}
