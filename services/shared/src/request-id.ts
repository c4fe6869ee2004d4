import { randomUUID } from 'node:crypto';

/**
 * The request-id rule (the root README, "Contracts between the containers"): an incoming id that matches is kept so a trace
 * can start upstream of us (a load balancer, a client); anything else is
 * replaced, because ids end up in log lines and must not carry newlines,
 * quotes or megabytes of attacker-chosen text.
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

/** Keeps a well-formed incoming id, otherwise makes a new UUID. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  // Node joins repeated headers into an array only for some names; a client
  // sending two ids gets a fresh one rather than a guess at which it meant.
  if (typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming)) return incoming;
  return randomUUID();
}
