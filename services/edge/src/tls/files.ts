/**
 * EDGE_TLS_CERTS=files: the `cert.pem:key.pem` pairs of EDGE_TLS_FILES
 * (Compose or Swarm secrets, a certbot directory), chosen by SNI from
 * their names. Watched as the static manifest is (fs.watch on each file's
 * directory, which also sees a rename or a symlink swap, plus a `stat`
 * every EDGE_TLS_POLL_MS for mounts that deliver no events); a changed
 * pair is validated and, if good, pushed to the workers; if bad, one log
 * line names the file and the previous pair goes on being served. At start
 * a bad pair is a configuration error.
 */
import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TlsFilePair } from '../config.ts';
import type { CertificateMaterial } from './messages.ts';
import type { CertificateSource } from './source.ts';
import { PairError, validatePair } from './validate.ts';

export interface FilesOptions {
  pairs: readonly TlsFilePair[];
  pollMs: number;
  log: {
    info(fields: object, message: string): void;
    error(fields: object, message: string): void;
  };
}

// fs.watch reports a rename as several events: read once they settle.
const SETTLE_MS = 100;

async function readPair(pair: TlsFilePair): Promise<CertificateMaterial> {
  const read = async (path: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new PairError(
        path,
        `cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
  };
  const [cert, key] = await Promise.all([read(pair.cert), read(pair.key)]);
  return validatePair(cert, key, pair);
}

/** What identifies a file's version without reading it. */
async function stamp(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

export function filesSource(options: FilesOptions): CertificateSource {
  const { pairs, log } = options;
  const listeners: ((certificates: CertificateMaterial[]) => void)[] = [];
  const current: CertificateMaterial[] = [];
  const stamps: string[] = [];
  const watchers: FSWatcher[] = [];
  let poll: NodeJS.Timeout | undefined;
  let settle: NodeJS.Timeout | undefined;
  let checking = false;

  const pairStamp = async (pair: TlsFilePair) =>
    `${await stamp(pair.cert)}|${await stamp(pair.key)}`;

  /** Re-reads every pair whose files changed; pushes the set when one was replaced. */
  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      let changed = false;
      for (const [i, pair] of pairs.entries()) {
        const now = await pairStamp(pair);
        if (now === stamps[i]) continue;
        stamps[i] = now;
        try {
          current[i] = await readPair(pair);
          changed = true;
          log.info({ cert: pair.cert, names: current[i]?.names }, 'TLS certificate reloaded');
        } catch (error) {
          const file = error instanceof PairError ? error.file : pair.cert;
          log.error(
            { file, reason: (error as Error).message },
            'TLS certificate refused; the previous one is still served',
          );
        }
      }
      if (changed) for (const listener of listeners) listener([...current]);
    } finally {
      checking = false;
    }
  };

  const soon = () => {
    clearTimeout(settle);
    settle = setTimeout(() => void check(), SETTLE_MS);
  };

  return {
    async start() {
      for (const [i, pair] of pairs.entries()) {
        stamps[i] = await pairStamp(pair);
        current[i] = await readPair(pair);
      }
      const dirs = new Set(pairs.flatMap((pair) => [dirname(pair.cert), dirname(pair.key)]));
      for (const dir of dirs) {
        try {
          watchers.push(watch(dir, { persistent: false }, soon));
        } catch {
          // No inotify here (some mounts): the poll below still sees changes.
        }
      }
      poll = setInterval(() => void check(), options.pollMs);
      poll.unref();
      return [...current];
    },
    onChange(listener) {
      listeners.push(listener);
    },
    close() {
      clearInterval(poll);
      clearTimeout(settle);
      for (const watcher of watchers) watcher.close();
    },
  };
}
