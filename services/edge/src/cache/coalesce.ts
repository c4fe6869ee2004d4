/**
 * Request coalescing (nginx's `proxy_cache_lock`): while one request fills
 * a key, the others for it wait, at most `lockMs`, and then look again:
 * a hit, or upstream themselves. A key found uncacheable is remembered for
 * a while (Varnish's hit-for-miss) so concurrent requests for it are not
 * queued behind each other when there is nothing to share.
 */
type Waiter = () => void;

interface Lock {
  waiters: Waiter[];
}

/** How long an uncacheable answer keeps its key out of coalescing. */
const PASS_MS = 30_000;
/** Bounds the hit-for-miss marks; the oldest go first. */
const MAX_PASSES = 10_000;

export class Coalescer {
  readonly lockMs: number;
  readonly locks = new Map<string, Lock>();
  readonly passes = new Map<string, number>();

  constructor(lockMs: number) {
    this.lockMs = lockMs;
  }

  /** True when the caller should wait for a fill already under way. */
  busy(key: string): boolean {
    if (this.lockMs === 0 || !this.locks.has(key)) return false;
    const until = this.passes.get(key);
    if (until === undefined) return true;
    if (until > Date.now()) return false;
    this.passes.delete(key);
    return true;
  }

  /** Calls `resume` once the fill of `key` ends or `lockMs` passed, whichever first. */
  wait(key: string, resume: Waiter): void {
    const lock = this.locks.get(key) as Lock;
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resume();
    };
    const timer = setTimeout(once, this.lockMs);
    // A waiting request holds its own socket open; the timer need not hold the process.
    timer.unref();
    lock.waiters.push(once);
  }

  /** The caller fills `key`: later requests for it wait (returns false if another already does). */
  acquire(key: string): boolean {
    if (this.lockMs === 0 || this.locks.has(key)) return false;
    this.locks.set(key, { waiters: [] });
    return true;
  }

  release(key: string): void {
    const lock = this.locks.get(key);
    if (lock === undefined) return;
    this.locks.delete(key);
    for (const waiter of lock.waiters) waiter();
  }

  pass(key: string): void {
    if (this.passes.size >= MAX_PASSES) {
      this.passes.delete(this.passes.keys().next().value as string);
    }
    this.passes.set(key, Date.now() + PASS_MS);
  }
}
