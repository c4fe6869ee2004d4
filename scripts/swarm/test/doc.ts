/** Narrowing helpers the conversion's tests share: a failed assertion, never a TypeError. */
import assert from 'node:assert/strict';

export type Doc = Record<string, unknown>;

export function record(value: unknown, what: string): Doc {
  assert.ok(
    typeof value === 'object' && value !== null && !Array.isArray(value),
    `${what} is not a mapping`,
  );
  return value as Doc;
}

export function list(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} is not a list`);
  return value;
}
