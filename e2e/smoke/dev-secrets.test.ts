/**
 * The committed development password (docker/dev-secrets/) outside the
 * explicit development mode: with ALLOW_DEV_SECRETS=false, as the production
 * checklist says, app and migrate refuse it at start with one line. Settings
 * are read before any connection, so no database is started (`run --no-deps`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT } from '../src/paths.ts';
import { composeDown } from '../src/stack-down.ts';

const project = `e2e-secrets-${randomBytes(3).toString('hex')}`;

interface Exit {
  code: number;
  stderr: string;
}

/** `docker compose run --rm --no-deps SERVICE` with `env`; its exit code and stderr. */
function runService(service: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['compose', '-p', project, 'run', '--rm', '--no-deps', '-T', service],
      { cwd: ROOT, env: { ...process.env, HTTP_PORT: '0', HTTPS_PORT: '0', ...env } },
      (error, _stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
      },
    );
  });
}

const REFUSED =
  'invalid setting PGPASSWORD_FILE: is a committed development placeholder ("dev-only-..."): use a secret of your own, or set APP_ALLOW_DEV_SECRETS=true on a development machine';

describe('the committed development password', () => {
  after(() => composeDown(project));

  for (const service of ['migrate', 'app']) {
    test(`${service} refuses it with ALLOW_DEV_SECRETS=false`, async () => {
      const { code, stderr } = await runService(service, { ALLOW_DEV_SECRETS: 'false' });
      assert.equal(code, 1);
      assert.ok(stderr.split('\n').includes(REFUSED), stderr);
    });
  }

  test('a password of your own passes the check (then migrate fails only for want of a database)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2e-secret-'));
    try {
      const file = join(dir, 'db-password.txt');
      await writeFile(file, `${randomBytes(18).toString('base64url')}\n`);
      const { code, stderr } = await runService('migrate', {
        ALLOW_DEV_SECRETS: 'false',
        DB_PASSWORD_FILE: file,
      });
      assert.equal(code, 1, 'no database was started');
      assert.ok(!stderr.includes('placeholder'), stderr);
      // Only "no such host" (no db container): any other error names another fault.
      assert.match(stderr, /ENOTFOUND|EAI_AGAIN/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
