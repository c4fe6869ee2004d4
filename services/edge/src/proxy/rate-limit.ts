/**
 * A token bucket per client address (nginx's `limit_req` idea, without its
 * queue: excess requests are refused at once with 429). Per worker process:
 * with N workers a client gets up to N× the rate, stated in README.md.
 */
interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #sweep: NodeJS.Timeout;

  constructor(perSecond: number, burst: number) {
    this.#rate = perSecond / 1000;
    this.#burst = burst > 0 ? burst : perSecond * 2;
    // A full bucket says nothing a new one would not: dropping them keeps
    // memory bounded by the clients active in the last minute.
    this.#sweep = setInterval(() => this.#dropFull(), 60_000).unref();
  }

  /** 0 when the request may pass, else the seconds until it would. */
  take(client: string, now: number): number {
    let bucket = this.#buckets.get(client);
    if (bucket === undefined) {
      bucket = { tokens: this.#burst, at: now };
      this.#buckets.set(client, bucket);
    } else {
      bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#rate);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate / 1000));
  }

  #dropFull(): void {
    const now = Date.now();
    for (const [client, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#rate >= this.#burst) {
        this.#buckets.delete(client);
      }
    }
  }

  close(): void {
    clearInterval(this.#sweep);
  }
}
