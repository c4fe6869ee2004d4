/**
 * The `Cache-Status` field (RFC 9211): this cache's one member, named
 * `edge`, saying how it handled the request.
 * https://www.rfc-editor.org/rfc/rfc9211
 */
export const CACHE_NAME = 'edge';

/** Why the request went upstream (RFC 9211 §2.2). */
export type Forward = 'uri-miss' | 'vary-miss' | 'miss' | 'request' | 'stale' | 'bypass';

export function hitStatus(ttl: number): string {
  return `${CACHE_NAME}; hit; ttl=${ttl}`;
}

export function forwardStatus(
  fwd: Forward,
  stored: boolean,
  ttl: number | null,
  fwdStatus?: number,
): string {
  let out = `${CACHE_NAME}; fwd=${fwd}`;
  if (fwdStatus !== undefined) out += `; fwd-status=${fwdStatus}`;
  if (stored) out += '; stored';
  if (ttl !== null) out += `; ttl=${ttl}`;
  return out;
}

/** A stale entry served (RFC 5861), `detail` saying which permission allowed it. */
export function staleStatus(ttl: number, detail: string, fwdStatus?: number): string {
  let out = `${CACHE_NAME}; hit; fwd=stale`;
  if (fwdStatus !== undefined) out += `; fwd-status=${fwdStatus}`;
  return `${out}; ttl=${ttl}; detail=${detail}`;
}

export function onlyIfCachedStatus(): string {
  return `${CACHE_NAME}; fwd=miss; detail=only-if-cached`;
}
