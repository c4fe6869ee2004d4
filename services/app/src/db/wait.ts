/**
 * Waits until the database accepts a connection, for the migrate one-shot
 * where nothing orders the start (Swarm has no depends_on: migrate starts
 * beside a PostgreSQL still running initdb). Only "not reachable yet"
 * failures are waited out (errors.ts); a wrong password or a missing
 * database fails at once, since time will not fix it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { DatabaseConnection } from '../config.ts';
import { describeError, isDatabaseUnavailable } from './errors.ts';

export interface WaitOptions {
  /** Give up after this long; 0 tries once. */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Called before each retry with the reason, e.g. to log it. */
  onRetry?: (reason: string, elapsedMs: number) => void;
  /** Between attempts; doubles up to 2 s. */
  firstDelayMs?: number;
}

export async function waitForDatabase(
  connection: DatabaseConnection,
  { timeoutMs, connectTimeoutMs, onRetry, firstDelayMs = 250 }: WaitOptions,
): Promise<void> {
  const started = Date.now();
  let delay = firstDelayMs;
  for (;;) {
    const client = new pg.Client({
      ...connection,
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: 'migrate',
    });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      const elapsed = Date.now() - started;
      const remaining = timeoutMs - elapsed;
      if (!isDatabaseUnavailable(error) || remaining <= 0) throw error;
      onRetry?.(describeError(error), elapsed);
      // The last attempt lands on the deadline, not a back-off past it.
      await sleep(Math.min(delay, remaining));
      delay = Math.min(delay * 2, 2000);
    } finally {
      await client.end().catch(() => {});
    }
  }
}
