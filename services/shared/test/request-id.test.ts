import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_ID_PATTERN, requestIdFrom } from '../src/index.ts';

test('a well-formed incoming request id is kept', () => {
  for (const id of ['abcdefgh', 'trace-1234.5678:9_0', 'A'.repeat(128)]) {
    assert.equal(requestIdFrom(id), id);
  }
});

test('a malformed, short, long, repeated or missing request id is replaced by a UUID', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (const bad of [
    undefined,
    '',
    'short',
    'A'.repeat(129),
    'has space 123',
    'line\nbreak1',
    ['aaaaaaaa', 'bbbbbbbb'],
  ]) {
    const id = requestIdFrom(bad);
    assert.match(id, uuid);
    assert.match(id, REQUEST_ID_PATTERN, 'a generated id passes the rule it enforces');
  }
});
