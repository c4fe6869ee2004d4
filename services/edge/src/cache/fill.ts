/**
 * One upstream response seen by the cache (a `ResponseTap`): a miss that
 * may be stored while it streams to the client, or the revalidation of a
 * stored entry, where a 304 refreshes the entry and the client is served
 * from it. The body is kept only up to EDGE_CACHE_MAX_ENTRY_BYTES; past
 * that the copy is dropped and the response goes on streaming.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyContext, ResponseTap } from '../proxy/context.ts';
import type { Fields } from '../proxy/response-head.ts';
import type { Lock } from './coalesce.ts';
import type { CacheCore } from './core.ts';
import {
  admit,
  type Flat,
  flatten,
  mayBeStorable,
  type Policy,
  requestOf,
  staleAllowed,
  ttlOf,
} from './policy.ts';
import { serveEntry } from './serve.ts';
import { snapshot, storedFields } from './snapshot.ts';
import { type Forward, forwardStatus, staleStatus } from './status.ts';
import { type Entry, sizeOf, varyNamesOf, varyValuesOf } from './store.ts';

export interface LibraryRequest {
  url: string;
  method: string;
  headers: Flat;
}

export class Fill implements ResponseTap {
  readonly core: CacheCore;
  readonly key: string;
  readonly host: string;
  /** Built when first needed (index.ts skips it on a plain miss). */
  known: LibraryRequest | null;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: ProxyContext;
  /** The key's coalescing lock, when this request holds it. */
  readonly lock: Lock | null;
  readonly fwd: Forward;
  /** The stored entry being revalidated, or null on a plain miss. */
  readonly stale: Entry | null;
  policy: Policy | null = null;
  status = 0;
  vary: string | undefined = undefined;
  chunks: Buffer[] | null = null;
  size = 0;
  released = false;

  constructor(
    core: CacheCore,
    key: string,
    host: string,
    request: LibraryRequest | null,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ProxyContext,
    lock: Lock | null,
    fwd: Forward,
    stale: Entry | null,
  ) {
    this.core = core;
    this.key = key;
    this.host = host;
    this.known = request;
    this.req = req;
    this.res = res;
    this.ctx = ctx;
    this.lock = lock;
    this.fwd = fwd;
    this.stale = stale;
  }

  get request(): LibraryRequest {
    this.known ??= requestOf(this.req, this.host);
    return this.known;
  }

  head(status: number, headers: Fields, out: string[]): boolean {
    const core = this.core;
    const stale = this.stale;
    if (stale !== null && status === 304) return this.refreshed(stale, headers);
    if (status >= 500 && this.failed(status)) return true;
    let policy: Policy | null = null;
    if (this.req.method === 'GET' && mayBeStorable(headers)) {
      policy = admit(this.request, status, headers);
      const length = headers['content-length'];
      if (policy !== null && typeof length === 'string' && Number(length) > core.maxEntryBytes) {
        policy = null;
      }
    }
    const fwdStatus = stale === null ? undefined : status;
    if (policy === null) {
      // A new answer replaced what was stored (RFC 9111 §4.3.3); an error keeps it.
      if (stale !== null && status < 500 && this.req.method === 'GET') {
        core.store.remove(stale);
      }
      out.push('cache-status', forwardStatus(this.fwd, false, null, fwdStatus));
      this.release(this.req.method !== 'GET' || status >= 500);
      return false;
    }
    this.policy = policy;
    this.status = status;
    this.vary = flatten(headers).vary;
    this.chunks = [];
    out.push('cache-status', forwardStatus(this.fwd, true, ttlOf(policy), fwdStatus));
    return false;
  }

  /** 304: the stored body is still right; the 304's fields update the entry's. */
  refreshed(stale: Entry, headers: Fields): boolean {
    const core = this.core;
    const { policy, modified } = stale.policy.revalidatedPolicy(this.request, {
      status: 304,
      headers: flatten(headers),
    });
    if (modified) return false;
    core.store.refresh(stale, policy);
    core.counters.revalidations++;
    serveEntry(
      this.req,
      this.res,
      stale,
      storedFields(policy, stale.body),
      forwardStatus(this.fwd, false, ttlOf(policy), 304),
      this.ctx,
      core.options,
      core.responses,
    );
    this.release(true);
    return true;
  }

  /**
   * RFC 5861 stale-if-error: the upstream answered 5xx (`status`) or not at
   * all (null), and the stored entry may stand in within its window.
   */
  failed(status: number | null = null): boolean {
    const stale = this.stale;
    if (stale === null || !staleAllowed(stale.policy, 'stale-if-error')) {
      // The exchange answers an error of its own (no upstream at all): let the waiters go.
      this.release(true);
      return false;
    }
    const core = this.core;
    core.counters.staleServed++;
    const cacheStatus = staleStatus(ttlOf(stale.policy), 'stale-if-error', status ?? undefined);
    const fields = storedFields(stale.policy, stale.body);
    serveEntry(
      this.req,
      this.res,
      stale,
      fields,
      cacheStatus,
      this.ctx,
      core.options,
      core.responses,
    );
    this.release(true);
    return true;
  }

  data(chunk: Buffer): void {
    const chunks = this.chunks;
    if (chunks === null) return;
    this.size += chunk.length;
    if (this.size > this.core.maxEntryBytes) {
      // Too large after all (no Content-Length said so): stream on, keep nothing.
      this.chunks = null;
      this.release(true);
      return;
    }
    chunks.push(chunk);
  }

  end(): void {
    const chunks = this.chunks;
    const policy = this.policy;
    if (chunks !== null && policy !== null) {
      this.chunks = null;
      const body = Buffer.concat(chunks, this.size);
      const names = varyNamesOf(this.vary);
      const entry: Entry = {
        key: this.key,
        varyNames: names,
        varyValues: varyValuesOf(names, this.request.headers),
        policy,
        status: this.status,
        body,
        size: sizeOf(policy, body, this.key),
        snap: snapshot(policy, body),
      };
      this.core.store.put(entry);
    }
    this.release(true);
  }

  abort(): void {
    this.chunks = null;
    this.release(true);
  }

  /** Lets the waiters look again; `storable: false` keeps the key out of coalescing for a while. */
  release(storable: boolean): void {
    if (this.released) return;
    this.released = true;
    if (!storable && this.req.method === 'GET') this.core.coalescer.pass(this.key);
    if (this.lock !== null) this.core.coalescer.release(this.key, this.lock);
  }
}
