/**
 * How the primary writes what it keeps on the TLS volume (the local CA's
 * key, the ACME account key and certificates): through a temporary file
 * and a rename, with the mode set at creation, so a crash or a reader
 * never sees a half-written or too-open file.
 */
import { rename, writeFile } from 'node:fs/promises';

export async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data, { mode });
  await rename(temp, path);
}
