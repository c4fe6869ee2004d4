import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fsError } from './errors.ts';

/** Where collectstatic keeps its lock and history inside DIR: a dot-directory, which the edge never serves. */
export const STATE_DIR = '.collectstatic';

// `.app.3f9a1c2b.css.tmp-0123456789ab`: a dotfile, so a half-written file is
// never served, and recognisable, so the next run can sweep what a killed run left.
const TEMP_PATTERN = /^\..+\.tmp-[0-9a-f]{12}$/;

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${randomBytes(6).toString('hex')}`);
}

async function readIfSameSize(path: string, size: number): Promise<Buffer | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size !== size) return undefined;
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError('read', path, error);
  }
}

export type WriteOutcome = 'written' | 'unchanged';

/**
 * Puts `bytes` at `root/path` so that a reader sees either the old file or
 * the whole new one: written to a temporary dotfile beside it, flushed to
 * disk, then renamed over it (rename(2) is atomic within a file system).
 * A file that already holds exactly these bytes is left alone, mtime and all,
 * which is what makes a rerun change nothing.
 */
export async function writeFileAtomic(
  root: string,
  path: string,
  bytes: Uint8Array,
  beforeRename?: (path: string) => void | Promise<void>,
): Promise<WriteOutcome> {
  const target = join(root, path);
  const existing = await readIfSameSize(target, bytes.length);
  if (existing?.equals(bytes)) return 'unchanged';
  const temp = tempPathFor(target);
  try {
    await mkdir(dirname(target), { recursive: true });
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await beforeRename?.(path);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw fsError('write', target, error);
  }
  return 'written';
}

/**
 * Flushes a directory's entries (the renames into it) to disk, so that after
 * a power cut the manifest never names a file whose rename was lost. Some
 * file systems refuse fsync on a directory; there is nothing better to do
 * then, so that is ignored.
 */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync();
  } catch {
    // EINVAL on file systems without directory fsync.
  } finally {
    await handle.close();
  }
}

/** Removes temporary files a killed run left behind. Call only while holding the lock. */
export async function sweepTempFiles(root: string): Promise<number> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw fsError('list', root, error);
  }
  let swept = 0;
  for (const entry of entries) {
    if (!entry.isFile() || !TEMP_PATTERN.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    if (relative(root, path).split(sep)[0] === STATE_DIR) continue;
    await unlink(path).catch(() => {});
    swept += 1;
  }
  return swept;
}

/** Deletes `root/path` (gone already is fine), then its parent directories up to root while they are empty. */
export async function removeFile(root: string, path: string): Promise<boolean> {
  const target = join(root, path);
  try {
    await unlink(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fsError('prune', target, error);
  }
  for (let parent = dirname(path); parent !== '.' && parent !== ''; parent = dirname(parent)) {
    try {
      await rmdir(join(root, parent));
    } catch {
      break; // not empty (or already gone): stop climbing
    }
  }
  return true;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
