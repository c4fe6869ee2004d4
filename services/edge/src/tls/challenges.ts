/**
 * The primary's side of HTTP-01: the ACME client runs here, but the plain
 * port is the workers', so each token goes to every worker over IPC and the
 * ACME server is told to validate only once every ready worker (one that
 * has asked for its TLS material, so its plain port listens) has said it
 * answers it. A worker that starts later gets the tokens still open.
 */
import type { Worker } from 'node:cluster';
import type { AcmeChallengeAckMessage, AcmeChallengeMessage } from './messages.ts';
import { isTlsMessage } from './messages.ts';

/** How long a token waits for the workers (and, before the first, for one to be ready). */
const ACK_MS = 10_000;

export class ChallengeRelay {
  readonly #open = new Map<string, AcmeChallengeMessage>();
  readonly #ready = new Set<Worker>();
  readonly #waiting = new Map<string, { workers: Set<Worker>; done: () => void }>();
  #onReady: (() => void)[] = [];

  /** A worker that asked for its material: it listens on the plain port. */
  workerReady(worker: Worker): void {
    this.#ready.add(worker);
    worker.once('exit', () => {
      this.#ready.delete(worker);
      for (const entry of this.#waiting.values()) {
        if (entry.workers.delete(worker) && entry.workers.size === 0) entry.done();
      }
    });
    for (const message of this.#open.values()) worker.send(message);
    const waiting = this.#onReady;
    this.#onReady = [];
    for (const wake of waiting) wake();
  }

  /** Every message from a worker passes here; acks are taken. */
  received(worker: Worker, message: unknown): void {
    if (!isTlsMessage<AcmeChallengeAckMessage>(message, 'edge:acme-challenge-ack')) return;
    const entry = this.#waiting.get(message.token);
    if (entry?.workers.delete(worker) && entry.workers.size === 0) entry.done();
  }

  /** Settles once every ready worker answers `token` (rejects when none does in time). */
  async publish(
    token: string,
    keyAuthorization: string,
    alpn?: AcmeChallengeMessage['alpn'],
  ): Promise<void> {
    const message: AcmeChallengeMessage = {
      type: 'edge:acme-challenge',
      token,
      keyAuthorization,
      ...(alpn && { alpn }),
    };
    this.#open.set(token, message);
    await this.#anyReady();
    await this.#send(message);
  }

  async remove(token: string): Promise<void> {
    const open = this.#open.get(token);
    this.#open.delete(token);
    await this.#send({ ...open, type: 'edge:acme-challenge', token, keyAuthorization: null });
  }

  #anyReady(): Promise<void> {
    if (this.#ready.size > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no worker is serving the plain port')),
        ACK_MS,
      );
      this.#onReady.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #send(message: AcmeChallengeMessage): Promise<void> {
    const { token } = message;
    const workers = new Set([...this.#ready].filter((w) => w.isConnected()));
    if (workers.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(token);
        reject(new Error(`${workers.size} worker(s) did not take the HTTP-01 token in time`));
      }, ACK_MS);
      this.#waiting.set(token, {
        workers,
        done: () => {
          clearTimeout(timer);
          this.#waiting.delete(token);
          resolve();
        },
      });
      for (const worker of workers) worker.send(message);
    });
  }
}
