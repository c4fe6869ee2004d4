/**
 * Follows docs/add-a-resource.md in the checkout at <dir>: writes every file
 * the page shows and makes every insertion it describes, exactly as written
 * there (the page is the only copy of that code). The fork check runs it on
 * a renamed clone, then lints, typechecks and tests the result.
 *
 *   node scripts/walkthrough/add-notes.ts <dir>
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { applyBlocks, parseBlocks } from './blocks.ts';

export const WALKTHROUGH = 'docs/add-a-resource.md';

/** Applies the checkout's own walkthrough to it; returns the files written, relative. */
export function addNotes(dir: string): string[] {
  const root = resolve(dir);
  const blocks = parseBlocks(readFileSync(join(root, WALKTHROUGH), 'utf8'));
  return applyBlocks(root, blocks).map((path) => relative(root, path));
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/walkthrough/add-notes.ts <dir>');
    process.exit(2);
  }
  try {
    for (const file of addNotes(dir)) console.log(`wrote ${file}`);
  } catch (error) {
    console.error(`add-notes: ${WALKTHROUGH}: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
