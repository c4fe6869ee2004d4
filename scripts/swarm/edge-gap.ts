/**
 * Measures what replacing a host-mode edge costs on one node: polls
 * `/_edge/healthz` every 20 ms and keeps the longest stretch with no answer
 * at all (no listener), of 503s (draining) and with no 200 (either). On one node that
 * gap is real, and printed rather than hidden; several nodes behind a load
 * balancer are what closes it (scripts/swarm/README.md).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Gap {
  /** Longest stretch with no answer at all: no listener on the port. */
  noAnswerMs: number;
  /** Longest stretch of 503s: the old edge draining (EDGE_DRAIN_MS), still serving. */
  drainingMs: number;
  /** Longest stretch with no 200, the two above together. */
  notReadyMs: number;
  probes: number;
}

export function probeGaps(url: string): { stop: () => Promise<Gap> } {
  let running = true;
  const done = (async (): Promise<Gap> => {
    let lastAnswer = performance.now();
    let lastReady = lastAnswer;
    let drainingSince: number | undefined;
    const gap: Gap = { noAnswerMs: 0, drainingMs: 0, notReadyMs: 0, probes: 0 };
    while (running) {
      let status = 0;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(500) });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        // Refused or timed out: no listener.
      }
      const now = performance.now();
      gap.probes += 1;
      if (status !== 0) lastAnswer = now;
      if (status === 200) lastReady = now;
      if (status === 503) drainingSince ??= now;
      else drainingSince = undefined;
      if (drainingSince !== undefined) {
        gap.drainingMs = Math.max(gap.drainingMs, now - drainingSince);
      }
      gap.noAnswerMs = Math.max(gap.noAnswerMs, now - lastAnswer);
      gap.notReadyMs = Math.max(gap.notReadyMs, now - lastReady);
      await sleep(20);
    }
    return gap;
  })();
  return {
    stop: async () => {
      running = false;
      return done;
    },
  };
}
