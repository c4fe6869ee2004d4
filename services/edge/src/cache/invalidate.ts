/**
 * RFC 9111 §4.4: a successful (2xx, 3xx) unsafe request invalidates the
 * target URI and the URIs in its answer's `Location` and
 * `Content-Location` when they share its origin (so a response cannot
 * evict another site's entries). Both schemes go, since one resource
 * answers on either port.
 */
import type { ResponseTap } from '../proxy/exchange.ts';
import type { Fields } from '../proxy/response-head.ts';
import type { CacheCore } from './core.ts';
import { keyOf } from './core.ts';

export const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class Invalidation implements ResponseTap {
  readonly core: CacheCore;
  readonly proto: string;
  readonly host: string;
  readonly target: string;

  constructor(core: CacheCore, proto: string, host: string, target: string) {
    this.core = core;
    this.proto = proto;
    this.host = host;
    this.target = target;
  }

  head(status: number, headers: Fields): boolean {
    if (status < 200 || status >= 400) return false;
    this.drop(this.host, this.target);
    let base: URL;
    try {
      base = new URL(this.target, `${this.proto}://${this.host}`);
    } catch {
      return false;
    }
    for (const name of ['location', 'content-location']) {
      const value = headers[name];
      if (typeof value !== 'string') continue;
      let url: URL;
      try {
        url = new URL(value, base);
      } catch {
        continue;
      }
      if (url.origin === base.origin) this.drop(url.host, url.pathname + url.search);
    }
    return false;
  }

  drop(host: string, target: string): void {
    const store = this.core.store;
    for (const proto of ['http', 'https']) {
      const key = keyOf(proto, host, target);
      if (store.byKey.has(key)) {
        store.delete(key);
        this.core.counters.invalidations++;
      }
    }
  }

  failed(): boolean {
    return false;
  }

  data(): void {}
  end(): void {}
  abort(): void {}
}
