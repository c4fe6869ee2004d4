import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  boolean,
  bytes,
  computed,
  entriesReader,
  integer,
  milliseconds,
  oneOf,
  schemaOf,
  setting,
  text,
  type Values,
} from '../src/setting-entries.ts';
import { ConfigError } from '../src/settings.ts';

let computedCalls = 0;
const ENTRIES = {
  port: setting({ env: 'X_PORT', format: integer(1, 65535), default: 3000, doc: 'port' }),
  timeoutMs: setting({
    env: 'X_TIMEOUT_MS',
    format: milliseconds(0, 600_000, '0: never'),
    default: 5000,
    doc: 'timeout',
  }),
  cacheBytes: setting({ env: 'X_CACHE_BYTES', format: bytes(0, 2 ** 30), default: 0, doc: 'c' }),
  fast: setting({ env: 'X_FAST', format: boolean(), default: true, doc: 'fast' }),
  level: setting({ env: 'X_LEVEL', format: oneOf(['low', 'high']), default: 'low', doc: 'l' }),
  workers: setting({
    env: 'X_WORKERS',
    format: integer(1, 64),
    default: computed('the CPU count', () => {
      computedCalls++;
      return 7;
    }),
    doc: 'workers',
  }),
  name: setting({ env: 'X_NAME', format: text('a name', { minLength: 2 }), doc: 'optional' }),
  alias: setting({
    env: 'X_ALIAS',
    format: text('an alias'),
    default: computed('X_NAME'),
    doc: 'a',
  }),
};
const read = entriesReader(ENTRIES);

// Compile-time checks: a wrong default type fails typecheck, and the values are typed.
// @ts-expect-error the default is not the format's type
setting({ env: 'BAD', format: integer(0, 1), default: 'one', doc: 'bad' });
const typed: Values<typeof ENTRIES> = read({});
const level: 'low' | 'high' = typed.level;
const name: string | undefined = typed.name;
const workers: number = typed.workers;
void [level, name, workers];

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    read(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  return assert.fail('accepted');
}

test('an empty environment reads every default, computed ones computed at the read', () => {
  computedCalls = 0;
  assert.deepEqual(read({}), {
    port: 3000,
    timeoutMs: 5000,
    cacheBytes: 0,
    fast: true,
    level: 'low',
    workers: 7,
    name: undefined,
    alias: undefined,
  });
  assert.equal(computedCalls, 1);
});

test('values are read by their variable, coerced, keyed as the entries; empty means unset', () => {
  const values = read({
    X_PORT: '8080',
    X_FAST: 'false',
    X_LEVEL: 'high',
    X_WORKERS: '',
    X_NAME: 'ada',
  });
  assert.equal(values.port, 8080);
  assert.equal(values.fast, false);
  assert.equal(values.level, 'high');
  assert.equal(values.workers, 7);
  assert.equal(values.name, 'ada');
});

test('a bad value is one line naming the variable and what the format accepts', () => {
  assert.equal(refusal({ X_PORT: '0' }), 'invalid setting X_PORT: must be an integer 1-65535');
  assert.equal(
    refusal({ X_TIMEOUT_MS: '1.5' }),
    'invalid setting X_TIMEOUT_MS: must be an integer 0-600000 (milliseconds; 0: never)',
  );
  assert.equal(
    refusal({ X_CACHE_BYTES: '1MB' }),
    'invalid setting X_CACHE_BYTES: must be an integer 0-1073741824 (bytes)',
  );
  assert.equal(refusal({ X_FAST: 'maybe' }), 'invalid setting X_FAST: must be true or false');
  assert.equal(refusal({ X_LEVEL: 'mid' }), 'invalid setting X_LEVEL: must be one of low, high');
  assert.equal(refusal({ X_NAME: 'a' }), 'invalid setting X_NAME: must be a name');
});

test('the schema is plain JSON schema keyed by variable', () => {
  const schema = schemaOf(ENTRIES);
  assert.deepEqual(
    Object.keys(schema.properties),
    Object.values(ENTRIES).map(({ env }) => env),
  );
  assert.deepEqual(schema.properties.X_PORT, {
    type: 'integer',
    minimum: 1,
    maximum: 65535,
    description: 'an integer 1-65535',
  });
});
