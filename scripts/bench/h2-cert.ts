/**
 * The one certificate every h2 target serves: a leaf for localhost and
 * 127.0.0.1 (ECDSA P-256) from the edge's own local CA code, written as the
 * `cert.pem:key.pem` pair the edge's files mode reads, so nginx, Caddy and
 * the bare server load the same two files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CA_CERT_FILE,
  issueLeaf,
  loadOrCreateAuthority,
} from '../../services/edge/src/tls/internal-ca.ts';

export interface CertFiles {
  cert: string;
  key: string;
  /** The CA that signed it, for the bench's own client to trust. */
  ca: string;
}

const quiet = { info() {}, error() {} };

/** Writes `dir/cert.pem` and `dir/key.pem` (a one-day leaf; its CA in `dir/ca`). */
export async function writeCert(dir: string): Promise<CertFiles> {
  const ca = await loadOrCreateAuthority(join(dir, 'ca'), quiet);
  const leaf = await issueLeaf(ca, ['localhost', '127.0.0.1'], 86_400_000);
  const files = {
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
    ca: join(dir, 'ca', CA_CERT_FILE),
  };
  writeFileSync(files.cert, leaf.cert);
  // nginx's worker runs as nobody, but reads the key in its master (root).
  writeFileSync(files.key, leaf.key, { mode: 0o600 });
  return files;
}
