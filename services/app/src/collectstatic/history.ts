import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CollectstaticError, fsError } from './errors.ts';
import { STATE_DIR, writeFileAtomic } from './files.ts';
import { isSafeRelativePath } from './manifest.ts';

/** One set collected into DIR: its id (from the manifest's bytes) and every file it brought. */
export interface SetRecord {
  readonly id: string;
  readonly files: readonly string[];
}

/**
 * The sets collected into DIR, newest first (the first is the live one).
 * Kept so that pruning deletes only files collectstatic itself wrote, for
 * sets that have fallen out of retention, and never a file someone else put
 * in DIR.
 */
export type History = readonly SetRecord[];

export const HISTORY_FILE = `${STATE_DIR}/history.json`;

const SET_ID = /^[0-9a-f]{16}$/;

function parseHistory(text: string, source: string): History {
  const fail = (why: string) =>
    new CollectstaticError(
      `${source}: not collectstatic history: ${why}; delete it to start afresh (the files of older sets are then never pruned)`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail('invalid JSON');
  }
  const sets = (value as { version?: unknown; sets?: unknown } | null)?.sets;
  if ((value as { version?: unknown } | null)?.version !== 1 || !Array.isArray(sets)) {
    throw fail('expected {"version": 1, "sets": [...]}');
  }
  return sets.map((record: unknown, index) => {
    const { id, files } = (record ?? {}) as { id?: unknown; files?: unknown };
    if (typeof id !== 'string' || !SET_ID.test(id)) throw fail(`sets[${index}].id is not a set id`);
    if (
      !Array.isArray(files) ||
      !files.every((f) => typeof f === 'string' && isSafeRelativePath(f))
    ) {
      throw fail(`sets[${index}].files must be a list of relative paths`);
    }
    return { id, files: files as string[] };
  });
}

export async function readHistory(dir: string): Promise<History> {
  const path = join(dir, HISTORY_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fsError('read', path, error);
  }
  return parseHistory(text, path);
}

/** Writes the history atomically, and not at all when unchanged (a rerun touches nothing). */
export async function writeHistory(dir: string, history: History): Promise<void> {
  const text = `${JSON.stringify({ version: 1, sets: history }, null, 2)}\n`;
  await writeFileAtomic(dir, HISTORY_FILE, Buffer.from(text));
}
