/**
 * One upstream address: its keep-alive Pool (created on first use, closed
 * when a health check fails), its health, ejection and load figures, and
 * the health check itself (`probe`). The rotation over them is upstreams.ts.
 */
import { isIP } from 'node:net';
import { type Client, Pool } from 'undici';

export class Upstream {
  readonly key: string;
  readonly origin: string;
  #pool: Pool | null = null;
  readonly #poolOptions: Pool.Options;
  healthy = true;
  /**
   * Its last health check got an HTTP answer, pass or fail, and not one that
   * says it is shutting down: the process is alive and staying.
   */
  answering = true;
  ejectedUntil = 0;
  failures = 0;
  outstanding = 0;
  /** The health check in flight (resolves true when it passed). */
  checking: Promise<boolean> | null = null;
  /** Gone from DNS (or the proxy closed): never dispatched to again. */
  retired = false;
  health: Client | null = null;

  constructor(address: string, port: number, poolOptions: Pool.Options) {
    const host = isIP(address) === 6 ? `[${address}]` : address;
    this.key = `${host}:${port}`;
    this.origin = `http://${host}:${port}`;
    this.#poolOptions = poolOptions;
  }

  /** Created on first use, and again after a health failure closed the last one. */
  get pool(): Pool {
    if (this.#pool === null) this.#pool = new Pool(this.origin, this.#poolOptions);
    return this.#pool;
  }

  get connected(): number {
    return this.#pool === null ? 0 : this.#pool.stats.connected;
  }

  /** Lets in-flight requests finish, then closes every connection (idle ones at once). */
  drain(): void {
    const pool = this.#pool;
    this.#pool = null;
    pool?.close().catch(() => {});
  }

  close(): Promise<void> {
    this.retired = true;
    const closing = [this.#pool?.close(), this.health?.close()];
    this.#pool = null;
    this.health = null;
    return Promise.all(closing).then(() => {});
  }
}

const DRAINING = /"code"\s*:\s*"draining"/;

/** One health check within `timeoutMs`: a 2xx passes; a refusal saying `draining` is a replica leaving. */
export async function probe(
  client: Client,
  path: string,
  host: string,
  timeoutMs: number,
): Promise<'pass' | 'fail' | 'leaving' | 'unreachable'> {
  try {
    const response = await client.request({
      path,
      method: 'GET',
      headers: { host, 'user-agent': 'edge-health-check' },
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (response.statusCode >= 200 && response.statusCode < 300) {
      await response.body.dump();
      return 'pass';
    }
    // The app's /readyz says why it is not ready; `draining` means the
    // replica is about to exit, so panic mode must not count on it.
    const text = await response.body.text();
    return DRAINING.test(text) ? 'leaving' : 'fail';
  } catch {
    return 'unreachable';
  }
}
