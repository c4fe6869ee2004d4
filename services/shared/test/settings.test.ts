import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, readSecret, settingsReader } from '../src/index.ts';

// A plain JSON schema, as the edge has (the app's TypeBox schema is one too).
const readEnv = settingsReader<{ PORT?: number; NAME: string }>({
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 1, description: 'a positive integer' },
    NAME: { type: 'string', default: 'guest', description: 'a name' },
  },
  required: ['NAME'],
} as const);

function secretFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'shared-settings-')), 'secret');
  writeFileSync(path, content);
  return path;
}

function throwsConfigError(run: () => unknown, message: string) {
  assert.throws(run, (error) => error instanceof ConfigError && error.message === message);
}

test('reads only the schema settings, coerced, with defaults; empty means unset', () => {
  assert.deepEqual(readEnv({ PORT: '8080', NAME: 'ada', OTHER: 'x' }), { PORT: 8080, NAME: 'ada' });
  assert.deepEqual(readEnv({ PORT: '', NAME: '' }), { NAME: 'guest' });
});

test('a bad value: one line naming the setting and its description', () => {
  throwsConfigError(
    () => readEnv({ PORT: 'eighty' }),
    'invalid setting PORT: must be a positive integer',
  );
  throwsConfigError(
    () => readEnv({ PORT: '0' }),
    'invalid setting PORT: must be a positive integer',
  );
});

test('a secret comes from NAME or from the file NAME_FILE names, newline trimmed', () => {
  assert.equal(readSecret({ PW: 'a' }, 'PW'), 'a');
  assert.equal(readSecret({ PW_FILE: secretFile('s3cret\n') }, 'PW'), 's3cret');
  assert.equal(readSecret({}, 'PW'), undefined);
});

test('a secret given both ways, or in a file it cannot read, is refused', () => {
  throwsConfigError(
    () => readSecret({ PW: 'a', PW_FILE: secretFile('b') }, 'PW'),
    'invalid setting PW_FILE: set either PW or PW_FILE, not both',
  );
  throwsConfigError(
    () => readSecret({ PW_FILE: '/nonexistent/pw' }, 'PW'),
    'invalid setting PW_FILE: cannot read /nonexistent/pw (ENOENT)',
  );
});

test('loadOrExit prints the one line of a ConfigError and exits 1', () => {
  const settings = new URL('../src/settings.ts', import.meta.url).href;
  const script = `import { invalid, loadOrExit } from '${settings}';
loadOrExit(() => { throw invalid('PORT', 'must be a positive integer'); });`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, 'invalid setting PORT: must be a positive integer\n');
});
