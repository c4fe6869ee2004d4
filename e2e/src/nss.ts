/**
 * A home directory with a fresh NSS database, the trust store Chromium (and
 * Firefox) read on Linux at `$HOME/.pki/nssdb`: empty, or trusting the CAs
 * given, imported with NSS's own `certutil` (Debian's libnss3-tools) as the
 * edge README tells a person to.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Setting: NSS's certutil (not Windows' tool of the same name). */
export const CERTUTIL_PATH = process.env.CERTUTIL_PATH ?? 'certutil';

export interface NssHome extends AsyncDisposable {
  /** Give it to the browser as HOME. */
  home: string;
  close(): Promise<void>;
}

/** A new HOME whose NSS database trusts exactly `caFiles` (PEM) as web CAs. */
export async function nssHome(caFiles: string[] = []): Promise<NssHome> {
  const home = await mkdtemp(join(tmpdir(), 'nss-home-'));
  const close = () => rm(home, { recursive: true, force: true });
  try {
    const db = `sql:${join(home, '.pki', 'nssdb')}`;
    await mkdir(join(home, '.pki', 'nssdb'), { recursive: true });
    await run(CERTUTIL_PATH, ['-d', db, '-N', '--empty-password']);
    for (const [i, file] of caFiles.entries()) {
      // "C,,": a CA trusted to issue server certificates, nothing else.
      await run(CERTUTIL_PATH, ['-d', db, '-A', '-n', `e2e CA ${i}`, '-t', 'C,,', '-i', file]);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { home, close, [Symbol.asyncDispose]: close };
}
