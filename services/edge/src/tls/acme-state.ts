/**
 * Where EDGE_TLS_CERTS=acme keeps what must survive a restart, in
 * EDGE_TLS_DIR/acme/<directory host>/ (0700): `account.key` (0600) and
 * `account.json` (the account URL), `cert.pem` (the chain) and `key.pem`
 * (0600). One folder per ACME server, so a move from staging to production
 * never serves the staging certificate. Every file is written through a
 * temporary file and a rename: a crash leaves the old file or the new.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from './write-atomic.ts';

export interface StoredAccount {
  key: string;
  url: string | null;
}

export interface StoredCertificate {
  cert: string;
  key: string;
}

/** `https://acme-v02.api.letsencrypt.org/directory` → `acme-v02.api.letsencrypt.org`; a port is kept (`pebble_14000`). */
export function storeDir(tlsDir: string, directoryUrl: string): string {
  const url = new URL(directoryUrl);
  const host = url.port === '' ? url.hostname : `${url.hostname}_${url.port}`;
  return join(tlsDir, 'acme', host.replace(/[^A-Za-z0-9._-]/g, '_'));
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

export class AcmeStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the folder (0700); an unwritable volume is an error at start, not at the first renewal. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const probe = join(this.dir, '.writable');
    await writeAtomic(probe, '', 0o600);
  }

  /**
   * The account key, refused with its path when it is not a private key
   * (never replaced: it is the account's identity). `account.json` only
   * records the URL: unreadable, it counts as absent.
   */
  async account(): Promise<StoredAccount | undefined> {
    const keyPath = join(this.dir, 'account.key');
    const key = await readIfExists(keyPath);
    if (key === undefined) return undefined;
    try {
      createPrivateKey(key);
    } catch (error) {
      throw new Error(`${keyPath}: not a private key (${(error as Error).message})`);
    }
    let url: string | null = null;
    try {
      const parsed = JSON.parse((await readIfExists(join(this.dir, 'account.json'))) ?? '{}');
      if (typeof parsed?.url === 'string') url = parsed.url;
    } catch {}
    return { key, url };
  }

  async saveAccountKey(key: string): Promise<void> {
    await writeAtomic(join(this.dir, 'account.key'), key, 0o600);
  }

  async saveAccountUrl(url: string): Promise<void> {
    await writeAtomic(join(this.dir, 'account.json'), `${JSON.stringify({ url })}\n`, 0o600);
  }

  async certificate(): Promise<StoredCertificate | undefined> {
    const cert = await readIfExists(join(this.dir, 'cert.pem'));
    const key = await readIfExists(join(this.dir, 'key.pem'));
    return cert !== undefined && key !== undefined ? { cert, key } : undefined;
  }

  /** The key first: a crash between the two leaves a pair that fails validation, and a new order. */
  async saveCertificate({ cert, key }: StoredCertificate): Promise<void> {
    await writeAtomic(join(this.dir, 'key.pem'), key, 0o600);
    await writeAtomic(join(this.dir, 'cert.pem'), cert, 0o644);
  }
}
