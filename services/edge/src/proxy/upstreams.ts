/**
 * The set of upstream addresses behind EDGE_UPSTREAM's host name: one undici
 * Pool (keep-alive connections) per address, a round-robin rotation of the
 * usable ones, passive ejection, active health checks and re-resolution.
 *
 * undici's BalancedPool spreads load too, but it has no health checks, no
 * ejection that a caller controls and no way to close one address's idle
 * connections, so the rotation is written here over plain Pools.
 */
import { isIP } from 'node:net';
import { Client, type Pool } from 'undici';
import type { ProxyOptions, ResolvedAddress } from './options.ts';
import type { Counters, UpstreamAddressStats } from './stats.ts';
import { probe, Upstream } from './upstream.ts';

export { Upstream } from './upstream.ts';

/** The longest back-off, as a multiple of `upstreamEjectMs`. */
const MAX_EJECT_FACTOR = 8;
/** Re-resolving on failures is useful once per burst of them, not per request. */
const MIN_RESOLVE_GAP_MS = 250;
/** Likewise an immediate health-check round when nothing is usable. */
const MIN_RECHECK_GAP_MS = 250;

export class Upstreams {
  readonly #options: ProxyOptions;
  readonly #counters: Counters;
  readonly #hostname: string;
  readonly #port: number;
  /** The `Host` for health checks and for clients that sent none. */
  readonly hostHeader: string;
  readonly #poolOptions: Pool.Options;
  readonly #byKey = new Map<string, Upstream>();
  #rotation: Upstream[] = [];
  #next = 0;
  #resolving: Promise<void> | null = null;
  #lastResolve = 0;
  #timers: NodeJS.Timeout[] = [];
  #closed = false;
  #applied = false;
  #soon: NodeJS.Timeout | null = null;
  #rechecking: Promise<void> | null = null;
  #lastRecheck = 0;
  /** Settles after the first resolution, so early requests wait instead of failing. */
  readonly ready: Promise<void>;

  constructor(options: ProxyOptions, counters: Counters) {
    this.#options = options;
    this.#counters = counters;
    const url = options.upstream;
    this.#hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#port = Number(url.port || 80);
    this.hostHeader = url.host;
    this.#poolOptions = {
      connectTimeout: options.upstreamConnectTimeoutMs,
      headersTimeout: options.upstreamTimeoutMs,
      bodyTimeout: options.upstreamTimeoutMs,
      // Keep-alive like nginx's `keepalive` in an upstream block; undici
      // honours the app's `Keep-Alive: timeout=` hint and closes before it.
      keepAliveTimeout: 4000,
      pipelining: 1,
    };
    this.ready = this.resolve();
    if (isIP(this.#hostname) === 0 && options.resolveIntervalMs > 0) {
      this.#timers.push(setInterval(() => void this.resolve(), options.resolveIntervalMs).unref());
    }
    if (options.healthPath !== '' && options.healthIntervalMs > 0) {
      this.#timers.push(setInterval(() => this.#checkAll(), options.healthIntervalMs).unref());
    }
  }

  /** Round-robin over usable addresses; never `avoid` (null when it is the only one). */
  pick(avoid: Upstream | null): Upstream | null {
    const rotation = this.#rotation;
    const n = rotation.length;
    if (n > 0) {
      let i = this.#next >= n ? 0 : this.#next;
      if (rotation[i] === avoid) {
        if (n === 1) return null;
        i = i + 1 < n ? i + 1 : 0;
      }
      this.#next = i + 1;
      return rotation[i] as Upstream;
    }
    // Everything healthy is ejected: try the one whose back-off ends first
    // rather than refuse, as an ejection is only a guess from one failure.
    let best: Upstream | null = null;
    for (const u of this.#byKey.values()) {
      if (u.healthy && u !== avoid && (best === null || u.ejectedUntil < best.ejectedUntil)) {
        best = u;
      }
    }
    return best ?? this.#panic(avoid);
  }

  /**
   * No address passes its health check: route to all of them anyway, as
   * Envoy's panic threshold does
   * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/panic_threshold).
   * When every replica fails at once, the cause is far more often shared (the
   * database is down: each replica answers 503 db_unavailable itself, which
   * says more than our no_upstream) or a race (the last healthy replica
   * draining while the next one's first check is still a second away) than
   * every replica being broken. Only addresses that still answer their check
   * (with a failure other than `draining`) are used: one that stopped
   * answering, or is shutting down, is gone or about to be, and a request to
   * it would wait out the connect timeout for a 504.
   */
  #panic(avoid: Upstream | null): Upstream | null {
    const now = Date.now();
    const all = [...this.#byKey.values()].filter(
      (u) => u !== avoid && u.answering && u.ejectedUntil <= now,
    );
    if (all.length === 0) return null;
    const i = this.#next % all.length;
    this.#next = i + 1;
    return all[i] as Upstream;
  }

  /**
   * Nothing is usable: resolve the name and check every address now rather
   * than at the next interval, and settle as soon as one passes (it is then
   * in the rotation) or every check is done. The races this closes: in a
   * rolling restart the returning replica is ready a moment before its next
   * check, while the other one has started draining; and right after a
   * deploy the replicas enter DNS (once healthy) a moment before the next
   * re-resolve. Without it, requests in that moment get 503 no_upstream.
   * Null when there is nothing to do or a round ran just now, so an outage
   * costs one round per MIN_RECHECK_GAP_MS, not one per request.
   */
  recheck(): Promise<void> | null {
    if (this.#rechecking !== null) return this.#rechecking;
    const { healthPath, healthIntervalMs } = this.#options;
    const checking = healthPath !== '' && healthIntervalMs > 0;
    const resolving = isIP(this.#hostname) === 0;
    if (this.#closed || (!checking && !resolving)) return null;
    if (Date.now() - this.#lastRecheck < MIN_RECHECK_GAP_MS) return null;
    this.#lastRecheck = Date.now();
    const resolved = resolving ? this.resolve() : Promise.resolve();
    this.#rechecking = resolved
      .then(() => {
        // New addresses are already being checked (#apply): this joins them.
        const checks = checking ? [...this.#byKey.values()].map((u) => this.#check(u)) : [];
        return new Promise<void>((settle) => {
          let pending = checks.length;
          if (pending === 0) settle();
          for (const check of checks) {
            void check.then((passed) => {
              pending -= 1;
              if (passed || pending === 0) settle();
            });
          }
        });
      })
      .finally(() => {
        this.#rechecking = null;
      });
    return this.#rechecking;
  }

  get size(): number {
    return this.#byKey.size;
  }

  get resolving(): Promise<void> | null {
    return this.#resolving;
  }

  /** An address refused, reset or timed out connecting: out of rotation for a back-off. */
  eject(u: Upstream): void {
    this.#counters.ejections++;
    u.failures++;
    const backoff =
      this.#options.upstreamEjectMs * Math.min(MAX_EJECT_FACTOR, 2 ** (u.failures - 1));
    u.ejectedUntil = Date.now() + backoff;
    this.#rebuild();
    const timer = setTimeout(() => {
      this.#timers = this.#timers.filter((t) => t !== timer);
      this.#rebuild();
    }, backoff + 1).unref();
    this.#timers.push(timer);
    // A replica that went away is often gone from DNS already.
    this.#resolveSoon();
  }

  #resolveSoon(): void {
    if (this.#soon !== null || this.#closed || isIP(this.#hostname) !== 0) return;
    const wait = Math.max(0, this.#lastResolve + MIN_RESOLVE_GAP_MS - Date.now());
    this.#soon = setTimeout(() => {
      this.#soon = null;
      void this.resolve();
    }, wait).unref();
  }

  succeeded(u: Upstream): void {
    u.failures = 0;
  }

  resolve(): Promise<void> {
    if (this.#resolving !== null) return this.#resolving;
    this.#lastResolve = Date.now();
    this.#resolving = this.#options
      .resolve(this.#hostname)
      .then(
        (addresses) => this.#apply(addresses),
        (error: NodeJS.ErrnoException) => {
          // "No such name" is an answer: every replica is gone. Anything else
          // (a DNS server timing out) is no news, so the known set stays.
          if (error.code === 'ENOTFOUND' || error.code === 'ENODATA') this.#apply([]);
        },
      )
      .finally(() => {
        this.#resolving = null;
      });
    return this.#resolving;
  }

  #apply(addresses: ResolvedAddress[]): void {
    if (this.#closed) return;
    const seen = new Set<string>();
    for (const { address } of addresses) {
      const u = new Upstream(address, this.#port, this.#poolOptions);
      seen.add(u.key);
      if (!this.#byKey.has(u.key)) {
        // The first set serves at once (requests are waiting for it, and panic
        // mode covers a bad start); an address added later (a scaled-out
        // replica resolves before it is ready) joins when its check passes.
        if (this.#applied && this.#checking()) u.healthy = false;
        this.#byKey.set(u.key, u);
        void this.#check(u);
      }
    }
    for (const [key, u] of this.#byKey) {
      if (!seen.has(key)) {
        this.#byKey.delete(key);
        // In-flight requests finish on the old connections; then they close.
        void u.close();
      }
    }
    this.#applied = true;
    this.#rebuild();
  }

  #checking(): boolean {
    return this.#options.healthPath !== '' && this.#options.healthIntervalMs > 0;
  }

  #rebuild(): void {
    const now = Date.now();
    const rotation: Upstream[] = [];
    for (const u of this.#byKey.values()) {
      if (u.healthy && u.ejectedUntil <= now) rotation.push(u);
    }
    this.#rotation = rotation;
  }

  #checkAll(): void {
    for (const u of this.#byKey.values()) void this.#check(u);
  }

  /** Checks `u` (or joins the check in flight); resolves true when it passed. */
  #check(u: Upstream): Promise<boolean> {
    const { healthPath, healthIntervalMs } = this.#options;
    if (u.checking !== null) return u.checking;
    if (!this.#checking() || this.#closed) return Promise.resolve(false);
    // Its own connection, so a check never queues behind busy requests and
    // survives the pool being closed while the address is unhealthy.
    u.health ??= new Client(u.origin, { pipelining: 1, keepAliveTimeout: 4000 });
    const timeout = Math.max(healthIntervalMs, 1000);
    u.checking = probe(u.health, healthPath, this.hostHeader, timeout).then((result) => {
      u.checking = null;
      const passed = result === 'pass';
      if (this.#byKey.get(u.key) !== u) return passed;
      u.answering = result === 'pass' || result === 'fail';
      if (passed && !u.healthy) {
        u.healthy = true;
        u.failures = 0;
        u.ejectedUntil = 0;
        this.#rebuild();
      } else if (!passed) {
        this.#counters.healthCheckFailures++;
        if (u.healthy) {
          u.healthy = false;
          this.#rebuild();
          u.drain();
        }
      }
      return passed;
    });
    return u.checking;
  }

  stats(): UpstreamAddressStats[] {
    const now = Date.now();
    const out: UpstreamAddressStats[] = [];
    for (const u of this.#byKey.values()) {
      out.push({
        address: u.key,
        healthy: u.healthy,
        ejected: u.ejectedUntil > now,
        outstanding: u.outstanding,
        connected: u.connected,
      });
    }
    return out;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    if (this.#soon !== null) clearTimeout(this.#soon);
    this.#timers = [];
    const closing = [...this.#byKey.values()].map((u) => u.close());
    this.#byKey.clear();
    this.#rotation = [];
    await Promise.all(closing);
  }
}
