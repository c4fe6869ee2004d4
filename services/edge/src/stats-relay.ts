/**
 * `/_edge/metrics` adds up every worker: the worker that receives the
 * scrape asks the primary (`gather`), the primary asks each worker for its
 * counters (`report`), and sends the answers back to the one that asked,
 * which merges and renders them. Plain data over cluster IPC; the primary
 * never looks inside (it imports none of the edge's request code).
 *
 * A worker that does not answer within REPLY_MS is left out rather than
 * holding the scrape; `edge_workers` in the output says how many answered.
 */
import cluster, { type Worker } from 'node:cluster';

const REPLY_MS = 1000;

interface GatherMessage {
  type: 'edge:gather';
  id: number;
}
interface ReportMessage {
  type: 'edge:report';
  id: number;
}
interface ReportedMessage {
  type: 'edge:reported';
  id: number;
  stats: unknown;
}
interface GatheredMessage {
  type: 'edge:gathered';
  id: number;
  stats: unknown[];
}

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as T).type === type;
}

/** In the primary: answers each worker's `gather` with every worker's report. */
export function relayStats(): void {
  let nextId = 0;
  const pending = new Map<number, { stats: unknown[]; waiting: number; done: () => void }>();

  cluster.on('message', (from: Worker, message: unknown) => {
    if (isMessage<ReportedMessage>(message, 'edge:reported')) {
      const entry = pending.get(message.id);
      if (entry === undefined) return;
      entry.stats.push(message.stats);
      if (--entry.waiting === 0) entry.done();
      return;
    }
    if (!isMessage<GatherMessage>(message, 'edge:gather')) return;
    const workers = Object.values(cluster.workers ?? {}).filter(
      (w): w is Worker => w?.isConnected() === true,
    );
    const id = ++nextId;
    const entry = {
      stats: [] as unknown[],
      waiting: workers.length,
      done: () => {
        clearTimeout(timer);
        pending.delete(id);
        if (!from.isConnected()) return;
        const reply: GatheredMessage = {
          type: 'edge:gathered',
          id: message.id,
          stats: entry.stats,
        };
        from.send(reply);
      },
    };
    const timer = setTimeout(entry.done, REPLY_MS);
    pending.set(id, entry);
    if (workers.length === 0) entry.done();
    const ask: ReportMessage = { type: 'edge:report', id };
    for (const worker of workers) worker.send(ask);
  });
}

/**
 * In a worker: reports `local()` when the primary asks, and returns the
 * function the metrics route calls to get every worker's figures. Outside
 * a cluster (tests, one process) that is just this process's.
 */
export function workerStats<T>(local: () => T): () => Promise<T[]> {
  const send = process.send?.bind(process);
  if (send === undefined || cluster.isPrimary) return async () => [local()];
  let nextId = 0;
  const waiting = new Map<number, (stats: T[]) => void>();
  process.on('message', (message: unknown) => {
    if (isMessage<ReportMessage>(message, 'edge:report')) {
      const reply: ReportedMessage = { type: 'edge:reported', id: message.id, stats: local() };
      send(reply);
    } else if (isMessage<GatheredMessage>(message, 'edge:gathered')) {
      waiting.get(message.id)?.(message.stats as T[]);
    }
  });
  return () =>
    new Promise<T[]>((resolve) => {
      const id = ++nextId;
      const finish = (stats: T[]) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(stats);
      };
      // The primary answers within REPLY_MS; past twice that, it is gone.
      const timer = setTimeout(() => finish([local()]), 2 * REPLY_MS);
      waiting.set(id, finish);
      const ask: GatherMessage = { type: 'edge:gather', id };
      send(ask);
    });
}
