import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type TextFile = { path: string; text: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** git's own test for binary: a NUL byte near the start. */
function decode(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8000).includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Every tracked text file. Symlinks, binaries (PNGs), and files deleted in
 * the work tree but still in the index are left alone.
 */
export function trackedTextFiles(root: string): TextFile[] {
  const listing = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  const files: TextFile[] = [];
  for (const path of listing.split('\0')) {
    if (path === '') continue;
    const full = join(root, path);
    try {
      if (!lstatSync(full).isFile()) continue;
    } catch {
      continue;
    }
    const text = decode(readFileSync(full));
    if (text !== undefined) files.push({ path, text });
  }
  return files;
}
