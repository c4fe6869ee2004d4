import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const SOURCE = resolve(import.meta.dirname, '../../..');

/**
 * Two names to rename to, neither the current one (a fork renamed already
 * runs these tests too). Joined at run time so that renaming the repository
 * to one of them never rewrites this list.
 */
export function targets(current: string): [string, string] {
  const names = [
    ['acme', 'shop'],
    ['acme', 'store'],
    ['third', 'name'],
  ].map((parts) => parts.join('-'));
  const [first, second] = names.filter((name) => name !== current);
  return [first as string, second as string];
}

export type Run = { status: number | null; stdout: string; stderr: string };

/**
 * A throwaway repository with the files git would commit here now, so the
 * tests see uncommitted work too and never touch this checkout.
 */
export function copyRepo(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rename-test-'));
  const listing = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: SOURCE,
    encoding: 'utf8',
  });
  for (const path of listing.split('\0')) {
    if (path === '') continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    try {
      copyFileSync(join(SOURCE, path), join(dir, path));
    } catch (error) {
      // Deleted in the work tree but still in the index: not part of "now".
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  git(dir, 'init', '-q');
  stage(dir);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
}

/** Stages everything, so `changed` reports only what comes after. */
export function stage(dir: string): void {
  git(dir, 'add', '-A');
}

/** Paths changed since the last stage, one a line. */
export function changed(dir: string): string {
  return git(dir, 'diff', '--name-only');
}

/** `git grep` lines, empty when nothing matches (git exits 1 then). */
export function grep(dir: string, ...args: string[]): string[] {
  const result = spawnSync('git', ['grep', '-n', ...args], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0 && result.status !== 1) throw new Error(result.stderr);
  return result.stdout.split('\n').filter((line) => line !== '');
}

export function rename(dir: string, ...args: string[]): Run {
  const result = spawnSync(process.execPath, ['scripts/rename/rename.ts', ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function readJson(dir: string, path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, path), 'utf8')) as Record<string, unknown>;
}
