/**
 * The stored responses of one worker, least recently used first out, by
 * bytes: every variant of a key (one per `Vary` selection) is an entry of
 * its own, counted with its fields and body.
 */

import type { Flat, Policy } from './policy.ts';
import { type Snapshot, snapshot } from './snapshot.ts';
import type { CacheCounters } from './stats.ts';

export interface Entry {
  key: string;
  /** Request fields the response's `Vary` names (lower case), empty without one. */
  varyNames: string[];
  /** Their values in the request that filled it, NUL-joined. */
  varyValues: string;
  policy: Policy;
  status: number;
  body: Buffer;
  size: number;
  /** For hits that need not ask the library (snapshot.ts); retaken on every refresh. */
  snap: Snapshot;
}

/** A stored entry's fields, Map and policy object: a rough figure, so the bound holds for small bodies too. */
const OVERHEAD = 512;

export function varyNamesOf(vary: string | undefined): string[] {
  if (vary === undefined || vary.trim() === '') return [];
  return vary
    .toLowerCase()
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** The selecting values, read as the library reads them (absent and empty alike). */
export function varyValuesOf(names: readonly string[], headers: Flat): string {
  let out = '';
  for (const name of names) out += `${headers[name] ?? ''}\0`;
  return out;
}

export function sizeOf(policy: Policy, body: Buffer, key: string): number {
  let size = OVERHEAD + key.length + body.length;
  const headers = policy.responseHeaders();
  for (const name in headers) size += name.length + String(headers[name]).length;
  return size;
}

export class Store {
  readonly maxBytes: number;
  readonly counters: CacheCounters;
  /** Insertion order is recency: a hit moves its entry to the end. */
  readonly lru = new Set<Entry>();
  readonly byKey = new Map<string, Entry[]>();
  bytes = 0;

  constructor(maxBytes: number, counters: CacheCounters) {
    this.maxBytes = maxBytes;
    this.counters = counters;
  }

  /** The variant of `key` the request selects, if stored. */
  find(key: string, headers: Flat): Entry | null {
    const variants = this.byKey.get(key);
    if (variants === undefined) return null;
    for (const entry of variants) {
      if (varyValuesOf(entry.varyNames, headers) === entry.varyValues) return entry;
    }
    return null;
  }

  touch(entry: Entry): void {
    this.lru.delete(entry);
    this.lru.add(entry);
  }

  /** Stores `entry`, replacing the variant it selects; false when it cannot fit at all. */
  put(entry: Entry): boolean {
    if (entry.size > this.maxBytes) return false;
    const variants = this.byKey.get(entry.key) ?? [];
    const old = variants.find(
      (v) => v.varyValues === entry.varyValues && v.varyNames.join() === entry.varyNames.join(),
    );
    if (old !== undefined) this.remove(old);
    const now = this.byKey.get(entry.key) ?? [];
    now.push(entry);
    this.byKey.set(entry.key, now);
    this.lru.add(entry);
    this.bytes += entry.size;
    this.counters.stores++;
    while (this.bytes > this.maxBytes) {
      const oldest = this.lru.values().next().value as Entry;
      this.remove(oldest);
      this.counters.evictions++;
    }
    return true;
  }

  /** A revalidated entry's new policy (RFC 9111 §4.3.4: the 304's fields replace the stored ones). */
  refresh(entry: Entry, policy: Policy): void {
    const size = sizeOf(policy, entry.body, entry.key);
    this.bytes += size - entry.size;
    entry.size = size;
    entry.policy = policy;
    entry.snap = snapshot(policy, entry.body);
    this.touch(entry);
  }

  /** Every variant of `key` (invalidation). */
  delete(key: string): void {
    const variants = this.byKey.get(key);
    if (variants === undefined) return;
    for (const entry of [...variants]) this.remove(entry);
  }

  remove(entry: Entry): void {
    if (!this.lru.delete(entry)) return;
    this.bytes -= entry.size;
    const variants = this.byKey.get(entry.key);
    if (variants === undefined) return;
    const rest = variants.filter((v) => v !== entry);
    if (rest.length === 0) this.byKey.delete(entry.key);
    else this.byKey.set(entry.key, rest);
  }

  get entries(): number {
    return this.lru.size;
  }
}
