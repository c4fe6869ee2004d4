import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoPlaceholderSecrets, placeholderSecrets } from '../secrets.ts';

const files: Record<string, string> = {
  '/repo/docker/dev-secrets/db-password.txt': 'dev-only-password-change-me\n',
  '/secrets/real.txt': 'a real one\n',
};
const read = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return text;
};

describe('placeholder secrets in the stack to render', () => {
  test('names each secret whose file holds a placeholder', () => {
    const merged = {
      secrets: {
        db_password: { file: '/repo/docker/dev-secrets/db-password.txt' },
        api_key: { file: '/secrets/real.txt' },
        external_one: { external: true },
      },
    };
    assert.deepEqual(placeholderSecrets(merged, read), [
      'db_password (/repo/docker/dev-secrets/db-password.txt)',
    ]);
  });

  test('an unreadable secret file is an error naming it', () => {
    assert.throws(
      () => placeholderSecrets({ secrets: { s: { file: '/missing' } } }, read),
      /^Error: secret s: cannot read \/missing \(ENOENT\)$/,
    );
  });

  test('the committed password is refused unless allowed', () => {
    // The real file, through the default reader.
    const merged = {
      secrets: {
        db_password: {
          file: new URL('../../../docker/dev-secrets/db-password.txt', import.meta.url).pathname,
        },
      },
    };
    assert.throws(
      () => assertNoPlaceholderSecrets(merged, false),
      /secret db_password \(.*db-password\.txt\) is a committed development placeholder: set DB_PASSWORD_FILE/,
    );
    assert.doesNotThrow(() => assertNoPlaceholderSecrets(merged, true));
    assert.doesNotThrow(() => assertNoPlaceholderSecrets({}, false));
  });
});
