import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { isCompressible, SIBLING_SUFFIXES } from './compress.ts';
import { CollectstaticError, fsError, oneLine } from './errors.ts';
import {
  exists,
  removeFile,
  STATE_DIR,
  sweepTempFiles,
  syncDirectory,
  writeFileAtomic,
} from './files.ts';
import { type History, readHistory, type SetRecord, writeHistory } from './history.ts';
import { MANIFEST_FILE, parseManifest } from './manifest.ts';
import { manifestBytes, type StaticSet, setPaths } from './set.ts';

export interface CollectOptions {
  /** How many sets before the current one keep their files (3 by default). */
  keep?: number;
  /**
   * A lock whose holder has not refreshed it for this long is taken to
   * belong to a killed run and is broken (proper-lockfile's `stale`, 2 s at least).
   */
  lockStaleMs?: number;
  /** Called with each relative path just before it is renamed into place: lets tests observe the order. */
  beforeRename?: (path: string) => void | Promise<void>;
}

export interface CollectSummary {
  /** First 16 hex of the SHA-256 of the manifest's bytes. */
  setId: string;
  /** Files written because they were missing or different. */
  copied: number;
  /** Files of this set that were already there byte for byte. */
  unchanged: number;
  /** Files of the previous sets, still in DIR for pages rendered before this deploy. */
  kept: number;
  /** Files of sets older than that, deleted. */
  pruned: number;
  /** Whether `manifest.json` itself changed. */
  manifestChanged: boolean;
}

export const DEFAULT_KEEP = 3;
const DEFAULT_LOCK_STALE_MS = 10_000;

/** The id of a set: its manifest decides its files, and the hashes in the names decide their bytes. */
export function setId(set: StaticSet): string {
  return createHash('sha256').update(manifestBytes(set)).digest('hex').slice(0, 16);
}

/**
 * `mkdir -p` by hand because Node's recursive mkdir reports ENOENT instead of
 * the real reason (EROFS, EACCES) when the parent exists but is not writable,
 * and the one-line error must say why.
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw error;
    await makeDirectory(dirname(dir));
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

async function ensureDirectory(dir: string): Promise<void> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new CollectstaticError(`cannot use ${dir}: not a directory`);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError('use', dir, error);
  }
  try {
    await makeDirectory(dir);
  } catch (error) {
    throw fsError('create', dir, error);
  }
}

/**
 * What is live in DIR now, as a set record, for a DIR whose history was lost
 * or that was filled before there was one: its files are kept like any
 * previous set's.
 */
async function liveRecord(dir: string): Promise<SetRecord | undefined> {
  const path = join(dir, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError('read', path, error);
  }
  const manifest = parseManifest(bytes.toString('utf8'), path);
  const files: string[] = [];
  for (const [name, hashed] of Object.entries(manifest.files)) {
    files.push(hashed);
    if (!isCompressible(name)) continue;
    for (const suffix of SIBLING_SUFFIXES) {
      if (await exists(join(dir, `${hashed}${suffix}`))) files.push(`${hashed}${suffix}`);
    }
  }
  const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return { id, files: files.sort() };
}

const LOCK_WAIT_MS = 300_000;

async function acquireLock(dir: string, staleMs: number, onCompromised: (error: Error) => void) {
  const lockPath = join(dir, STATE_DIR, 'lock');
  try {
    await mkdir(dirname(lockPath), { recursive: true });
  } catch (error) {
    throw fsError('write to', dir, error);
  }
  // proper-lockfile: an atomic mkdir lock that works across containers
  // sharing the volume (it relies on no pid), refreshed by its holder and
  // broken when stale, i.e. its holder was killed. Its own retries would also
  // retry EACCES/EROFS for minutes, so only "locked" is retried, here.
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await lockfile.lock(dir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: staleMs,
        onCompromised,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw fsError('lock', dir, error);
      if (Date.now() > deadline) {
        throw new CollectstaticError(
          `cannot lock ${dir}: another collectstatic has held ${lockPath} for over ${LOCK_WAIT_MS / 1000} s`,
        );
      }
      await setTimeout(delay);
    }
  }
}

/**
 * Copies a set into DIR, Django's collectstatic made atomic (README.md here, "What
 * collectstatic does to DIR"):
 *
 * 1. under a lock in `DIR/.collectstatic`, so two runs at once take turns;
 * 2. the history first, naming the new set's files, so a killed run's files
 *    are pruned in time like any others;
 * 3. the hashed files and siblings, each by temp file + rename, skipped when
 *    the bytes are already there;
 * 4. `manifest.json` last, by atomic rename: until then the old manifest is
 *    live and every name in it resolves;
 * 5. then, and only then, the files of sets older than the previous `keep`
 *    are pruned; a file any retained set names (the current one included)
 *    never is.
 */
export async function collect(
  set: StaticSet,
  dir: string,
  options: CollectOptions = {},
): Promise<CollectSummary> {
  const keep = options.keep ?? DEFAULT_KEEP;
  if (!Number.isInteger(keep) || keep < 0) {
    throw new CollectstaticError(`keep must be a whole number ≥ 0: ${keep}`);
  }
  await ensureDirectory(dir);
  let compromised: Error | undefined;
  const release = await acquireLock(dir, options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS, (error) => {
    compromised = error;
  });
  const assertLockHeld = () => {
    if (compromised) {
      throw new CollectstaticError(`lost the lock on ${dir}: ${oneLine(compromised.message)}`);
    }
  };
  try {
    await sweepTempFiles(dir);
    const current: SetRecord = { id: setId(set), files: setPaths(set) };
    let history: History = await readHistory(dir);
    const live = await liveRecord(dir);
    if (live && !history.some((record) => record.id === live.id)) history = [live, ...history];
    history = [current, ...history.filter((record) => record.id !== current.id)];
    await writeHistory(dir, history);

    let copied = 0;
    let unchanged = 0;
    const parents = new Set<string>();
    for (const [path, bytes] of set.files) {
      assertLockHeld();
      const outcome = await writeFileAtomic(dir, path, bytes, options.beforeRename);
      if (outcome === 'written') {
        copied += 1;
        parents.add(dirname(join(dir, path)));
      } else {
        unchanged += 1;
      }
    }
    for (const parent of parents) await syncDirectory(parent);

    assertLockHeld();
    const manifestOutcome = await writeFileAtomic(
      dir,
      MANIFEST_FILE,
      manifestBytes(set),
      options.beforeRename,
    );
    await syncDirectory(dir);

    const retained = history.slice(0, keep + 1);
    const keepPaths = new Set(retained.flatMap((record) => record.files));
    const currentPaths = new Set(current.files);
    let pruned = 0;
    for (const path of new Set(history.slice(keep + 1).flatMap((record) => record.files))) {
      if (keepPaths.has(path)) continue;
      assertLockHeld();
      if (await removeFile(dir, path)) pruned += 1;
    }
    await writeHistory(dir, retained);
    const kept = [...keepPaths].filter((path) => !currentPaths.has(path)).length;
    return {
      setId: current.id,
      copied,
      unchanged,
      kept,
      pruned,
      manifestChanged: manifestOutcome === 'written',
    };
  } finally {
    await release().catch(() => {});
  }
}
