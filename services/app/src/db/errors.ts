/**
 * Which driver errors mean "the database cannot be reached right now", as
 * opposed to a bug in a query. The first kind answers 503 `db_unavailable`
 * and heals by itself when the database returns; the second is a 500.
 */

// Socket-level failures reaching the server.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// PostgreSQL SQLSTATEs: class 08 is "connection exception"; 57P01-57P03 are
// the server shutting down or still starting; 53300 is too many connections;
// 57014 is a statement cancelled, here by APP_DB_STATEMENT_TIMEOUT_MS (a table
// locked by a migration, an overloaded server): worth retrying, not a bug.
// https://www.postgresql.org/docs/17/errcodes-appendix.html
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

// node-postgres reports a lost or timed-out connection with a bare Error and
// no code (pg/lib/client.js, pg-pool/index.js), so its message is all there is.
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated due to connection timeout',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Node reports a host with several addresses (localhost: ::1 and
  // 127.0.0.1) as an AggregateError of the per-address failures.
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08')) return true;
  }
  if (DRIVER_MESSAGES.some((message) => error.message.startsWith(message))) return true;
  return error.cause !== undefined && isDatabaseUnavailable(error.cause);
}

/** A one-line description of a driver error, for logs and the migrate command. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describeError).join('; ');
  }
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message || (typeof code === 'string' ? code : error.name);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
