/**
 * Request coalescing (nginx's `proxy_cache_lock`): while one request fills
 * a key, the others for it wait, at most `lockMs`, and then look again:
 * a hit, or upstream themselves. A key found uncacheable is remembered for
 * a while (Varnish's hit-for-miss) so concurrent requests for it are not
 * queued behind each other when there is nothing to share.
 */
type Waiter = () => void;

export interface Lock {
  waiters: Waiter[];
  /** When the fill began: a lock older than `lockMs` is ignored and may be taken over. */
  since: number;
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
    if (this.lockMs === 0) return false;
    const lock = this.locks.get(key);
    // A fill that never ended (its client left before it was sent) holds no one up for long.
    if (lock === undefined || performance.now() - lock.since > this.lockMs) return false;
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

  /** The caller fills `key`: later requests for it wait (null if another already does). */
  acquire(key: string): Lock | null {
    if (this.lockMs === 0) return null;
    const held = this.locks.get(key);
    if (held !== undefined && performance.now() - held.since <= this.lockMs) return null;
    const lock: Lock = { waiters: [], since: performance.now() };
    this.locks.set(key, lock);
    return lock;
  }

  release(key: string, lock: Lock): void {
    if (this.locks.get(key) === lock) this.locks.delete(key);
    for (const waiter of lock.waiters) waiter();
    lock.waiters.length = 0;
  }

  pass(key: string): void {
    if (this.passes.size >= MAX_PASSES) {
      this.passes.delete(this.passes.keys().next().value as string);
    }
    this.passes.set(key, Date.now() + PASS_MS);
  }
}
