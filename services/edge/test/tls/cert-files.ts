/**
 * EDGE_TLS_CERTS=files fixtures: a temporary directory with its own CA
 * (the internal source's code, `loadOrCreateAuthority`/`issueLeaf`), leaf
 * pairs written as a secret or certbot update lands them (a temporary file,
 * then a rename), and what a new connection is shown (the leaf's serial).
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connect } from 'node:tls';
import { issueLeaf, loadOrCreateAuthority } from '../../src/tls/internal-ca.ts';
import { readRoot } from './helpers.ts';

const QUIET = { info() {}, error() {} };
const DAY_MS = 86_400_000;

export async function certFiles(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await loadOrCreateAuthority(join(dir, 'ca'), QUIET);
  const caPem = await readRoot(join(dir, 'ca'));
  /** Writes `name.key` then `name.crt`, each through a temporary file and a rename. */
  const write = async (name: string, names: string[]) => {
    const leaf = await issueLeaf(ca, names, DAY_MS);
    for (const [suffix, text] of [
      ['key', leaf.key],
      ['crt', leaf.cert],
    ] as const) {
      await writeFile(join(dir, `.${name}.${suffix}.tmp`), text);
      await rename(join(dir, `.${name}.${suffix}.tmp`), join(dir, `${name}.${suffix}`));
    }
    return leaf;
  };
  /** The EDGE_TLS_FILES entry for `name`. */
  const pair = (name: string) => `${join(dir, `${name}.crt`)}:${join(dir, `${name}.key`)}`;
  return { dir, caPem, write, pair, issue: (names: string[]) => issueLeaf(ca, names, DAY_MS) };
}

/** The serial number of the leaf a new connection is shown for `servername`. */
export function servedSerial(port: number, ca: string, servername = 'localhost'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.once('error', reject);
  });
}

export function serialOf(pem: string): string {
  return new X509Certificate(pem).serialNumber;
}
