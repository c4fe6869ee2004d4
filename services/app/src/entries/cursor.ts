/**
 * The list's keyset cursor: the position of the last entry of a page,
 * `(created_at in microseconds, id)`, base64url-encoded so clients treat it
 * as opaque and we may change its inside. Microseconds, not a JS Date,
 * because PostgreSQL keeps them and two entries can share a millisecond.
 */
export interface Position {
  createdMicros: string;
  id: string;
}

const INSIDE = /^(\d{1,20})\.(\d{1,19})$/;

// The SQL's `bigint * interval` goes through float8, exact only up to 2^53 - 1.
const MAX_MICROS = BigInt(Number.MAX_SAFE_INTEGER);
// PostgreSQL's bigint, the type of entries.id.
const MAX_ID = 9223372036854775807n;

export function encodeCursor(position: Position): string {
  return Buffer.from(`${position.createdMicros}.${position.id}`).toString('base64url');
}

/** The position, or undefined when `cursor` is not one of ours. */
export function decodeCursor(cursor: string): Position | undefined {
  const match = INSIDE.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match?.[1] || !match[2]) return undefined;
  const id = BigInt(match[2]);
  if (BigInt(match[1]) > MAX_MICROS || id < 1n || id > MAX_ID) return undefined;
  // Re-encoding must give the same text, or base64url's leniency (it skips
  // characters it does not know) would let many strings name one position.
  const position = { createdMicros: match[1], id: match[2] };
  return encodeCursor(position) === cursor ? position : undefined;
}
