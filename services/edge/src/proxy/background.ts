/**
 * An upstream request no client waits for: the cache's refresh of an
 * entry it already served stale (stale-while-revalidate). The answer goes
 * to the tap alone.
 */
import type { Dispatcher } from 'undici';
import type { ResponseTap } from './context.ts';
import type { Fields } from './response-head.ts';
import type { Upstream } from './upstreams.ts';

export class BackgroundExchange implements Dispatcher.DispatchHandler {
  readonly tap: ResponseTap;
  readonly upstream: Upstream;

  constructor(tap: ResponseTap, upstream: Upstream) {
    this.tap = tap;
    this.upstream = upstream;
  }

  send(path: string, headers: string[]): void {
    this.upstream.outstanding++;
    try {
      this.upstream.pool.dispatch({ path, method: 'GET', headers }, this);
    } catch {
      this.onResponseError();
    }
  }

  // undici tells its handler API from the legacy one by this method.
  onRequestStart(): void {}

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Fields,
  ): void {
    if (statusCode >= 200) this.tap.head(statusCode, headers, []);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.tap.data(chunk);
  }

  onResponseEnd(): void {
    this.upstream.outstanding--;
    this.tap.end();
  }

  onResponseError(): void {
    this.upstream.outstanding--;
    this.tap.abort();
  }
}
