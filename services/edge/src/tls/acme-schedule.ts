/**
 * When EDGE_TLS_CERTS=acme orders again: at a third of the certificate's
 * life left (Let's Encrypt's advice: day 60 of 90), a little earlier by a
 * random jitter so a fleet started together does not renew together; after
 * a failure, EDGE_ACME_RETRY_MS doubled per failure, up to an hour.
 */

/** Up to this share of the lifetime earlier than the two-thirds mark. */
const JITTER = 0.05;
const MAX_RETRY_MS = 3_600_000;

/** Milliseconds since the epoch at which to renew a certificate valid from `notBefore` to `notAfter`. */
export function renewAt(notBefore: number, notAfter: number, random = Math.random): number {
  const life = notAfter - notBefore;
  return notBefore + (life * 2) / 3 - life * JITTER * random();
}

/** The wait before retry `failures` (1 for the first), ±10 % so retries spread. */
export function retryIn(failures: number, baseMs: number, random = Math.random): number {
  const plain = Math.min(MAX_RETRY_MS, baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(plain * (0.9 + 0.2 * random()));
}
