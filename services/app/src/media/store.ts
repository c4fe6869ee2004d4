/**
 * The media root on disk. Every name is chosen here: `images/<sha256>.<ext>`
 * and `thumbs/<sha256>.webp` under `public/` (what the edge serves at
 * /media/), `originals/<sha256>.<ext>` under `protected/` (what it sends
 * only on the app's X-Accel-Redirect), the SHA-256 of the stored bytes, so
 * the client's file name never reaches the file system and the same image
 * uploaded twice is one file. A file is written under `.tmp/` (outside both
 * served roots), fsynced, renamed into place and its directory fsynced: a
 * crash leaves either no file or the whole file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';

export const IMAGES_DIR = 'images';
export const THUMBS_DIR = 'thumbs';
export const ORIGINALS_DIR = 'originals';
export const TEMP_DIR = '.tmp';

/** The served root a stored directory lives in: the edge's EDGE_MEDIA_ROOT or EDGE_PROTECTED_ROOT. */
export function areaOf(dir: string): 'public' | 'protected' {
  return dir === ORIGINALS_DIR ? 'protected' : 'public';
}

const STORED_DIRS = [IMAGES_DIR, THUMBS_DIR, ORIGINALS_DIR];

export class MediaStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  /** Where `rel` (`images/…`, `originals/…`), as the database names it, is on disk. */
  pathOf(rel: string): string {
    const dir = rel.slice(0, rel.indexOf('/'));
    return join(this.root, areaOf(dir), rel);
  }

  async prepare(): Promise<void> {
    for (const dir of STORED_DIRS) {
      await mkdir(join(this.root, areaOf(dir), dir), { recursive: true });
    }
    await mkdir(join(this.root, TEMP_DIR), { recursive: true });
  }

  /** A fresh name under `.tmp/` for an upload being received. */
  tempPath(): string {
    return join(this.root, TEMP_DIR, `upload-${randomUUID()}`);
  }

  /** Stores `data` under its content hash in `dir`; returns the path relative to the root. */
  async put(dir: string, ext: string, data: Buffer): Promise<string> {
    const hash = createHash('sha256').update(data).digest('hex');
    const rel = `${dir}/${hash}.${ext}`;
    const final = this.pathOf(rel);
    const now = new Date();
    try {
      // Already stored: the same bytes. Touched, so the sweeper's grace
      // period starts again for a file about to be named by a new row.
      await utimes(final, now, now);
      return rel;
    } catch {
      // Not there yet: write it.
    }
    const temp = join(this.root, TEMP_DIR, `${hash}.${randomUUID()}`);
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, final);
    await syncDir(join(this.root, areaOf(dir), dir));
    return rel;
  }

  async remove(rel: string): Promise<void> {
    await rm(this.pathOf(rel), { force: true });
  }

  /**
   * Stored files and `.tmp/` ones older than `graceMs` and
   * not in `keep` (relative paths the database names) are deleted: uploads
   * whose row never committed, temporaries of a killed process.
   */
  async sweep(graceMs: number, keep: (rel: string) => Promise<boolean>): Promise<string[]> {
    const removed: string[] = [];
    const before = Date.now() - graceMs;
    for (const dir of [...STORED_DIRS, TEMP_DIR]) {
      const path = dir === TEMP_DIR ? join(this.root, TEMP_DIR) : join(this.root, areaOf(dir), dir);
      let names: string[];
      try {
        names = await readdir(path);
      } catch {
        continue;
      }
      for (const name of names) {
        const rel = `${dir}/${name}`;
        const info = await stat(join(path, name)).catch(() => undefined);
        if (!info?.isFile() || info.mtimeMs > before) continue;
        if (dir !== TEMP_DIR && (await keep(rel))) continue;
        await unlink(join(path, name)).catch(() => {});
        removed.push(rel);
      }
    }
    return removed;
  }
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
