/**
 * RFC 9111 §4.4: a successful (2xx, 3xx) unsafe request invalidates the
 * target URI and the URIs in its answer's `Location` and
 * `Content-Location` when they share its origin (so a response cannot
 * evict another site's entries). Both schemes go, since one resource
 * answers on either port. The other workers of this edge drop the same
 * keys (peers.ts).
 */
import type { ResponseTap } from '../proxy/context.ts';
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
    const keys: string[] = [];
    this.drop(keys, this.host, this.target);
    let base: URL | null = null;
    try {
      base = new URL(this.target, `${this.proto}://${this.host}`);
    } catch {}
    for (const name of ['location', 'content-location']) {
      const value = headers[name];
      if (base === null || typeof value !== 'string') continue;
      let url: URL;
      try {
        url = new URL(value, base);
      } catch {
        continue;
      }
      if (url.origin === base.origin) this.drop(keys, url.host, url.pathname + url.search);
    }
    // Before the answer goes on to the client: see peers.ts.
    this.core.peers?.publish(keys);
    return false;
  }

  drop(keys: string[], host: string, target: string): void {
    for (const proto of ['http', 'https']) {
      const key = keyOf(proto, host, target);
      keys.push(key);
      this.core.drop(key);
    }
  }

  failed(): boolean {
    return false;
  }

  data(): void {}
  end(): void {}
  abort(): void {}
}
