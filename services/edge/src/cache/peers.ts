/**
 * Invalidation reaches every worker of one edge: the worker that relayed a
 * successful POST, PUT, PATCH or DELETE drops its entries and tells the
 * primary, which tells the other workers, so their copies go within
 * milliseconds rather than at the end of their lifetime. Nothing waits for
 * the message: the writer's own connection reads its write at once (the
 * relaying worker dropped its copies before answering), a new connection
 * on another worker usually does too, but on a busy machine it can get
 * there first (CI saw it once) and read the old answer while it is fresh.
 * Plain data; the primary never looks inside (as stats-relay.ts).
 */
import cluster, { type Worker } from 'node:cluster';

/** How a worker's cache reaches the other workers' caches. */
export interface CachePeers {
  /** Tells the other workers to drop these keys. */
  publish(keys: readonly string[]): void;
  /** Calls `drop` with the keys another worker published. */
  subscribe(drop: (keys: readonly string[]) => void): void;
}

interface DropMessage {
  type: 'edge:cache-drop';
  keys: string[];
}

function isDrop(message: unknown): message is DropMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as DropMessage).type === 'edge:cache-drop' &&
    Array.isArray((message as DropMessage).keys)
  );
}

/** In the primary: every worker's drops go to every other worker. */
export function relayCacheDrops(): void {
  cluster.on('message', (from: Worker, message: unknown) => {
    if (!isDrop(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && worker !== from && worker.isConnected()) worker.send(message);
    }
  });
}

/** In a worker: its peers over the primary; none outside a cluster (tests, one process). */
export function workerCachePeers(): CachePeers | undefined {
  const send = process.send?.bind(process);
  if (send === undefined || cluster.isPrimary) return undefined;
  return {
    publish(keys) {
      const message: DropMessage = { type: 'edge:cache-drop', keys: [...keys] };
      send(message);
    },
    subscribe(drop) {
      process.on('message', (message: unknown) => {
        if (isDrop(message)) drop(message.keys);
      });
    },
  };
}
