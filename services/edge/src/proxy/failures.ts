/**
 * How the exchange reads undici's error codes: whether anything was sent,
 * whether the request may go to another address, whether it timed out.
 */

/** Failures while connecting: nothing was sent, and the address is suspect. */
export const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * After the request was written: the connection died before any response
 * byte (a killed replica, or a keep-alive connection the upstream closed as
 * we reused it), or the response head timed out. Retried for idempotent
 * methods only, as nginx's `proxy_next_upstream error timeout`
 * (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream).
 */
export const LOST_BEFORE_RESPONSE = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
export const TIMEOUTS = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** RFC 9110 §9.2.2. */
export const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Whether a failed attempt may go again: one never sent always may (it
 * failed for a reason); one sent, only if idempotent, its body not yet
 * pulled from the client (it cannot be sent twice), and lost before any
 * response byte or timed out waiting for the head.
 */
export function retryable(
  method: string,
  neverSent: boolean,
  code: string,
  body: { readonly started: boolean } | null,
): boolean {
  if (neverSent) return code !== '';
  if (!IDEMPOTENT.has(method)) return false;
  if (body?.started) return false;
  return LOST_BEFORE_RESPONSE.has(code) || code === 'UND_ERR_HEADERS_TIMEOUT';
}
