/**
 * Renames the project: its name (package.json, image names, labels, the
 * Swarm stack default, the README title) and its npm scope, in every
 * tracked text file, the lockfile included. See README.md here.
 *   node scripts/rename/rename.ts <name> [--dry-run] [--no-note]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectCurrent } from './detect.ts';
import { trackedTextFiles } from './files.ts';
import { sortLockfilePackages } from './lockfile.ts';
import { addNote, type Change, matcher, type Plan, rewriteText } from './rewrite.ts';
import { nameProblem } from './validate.ts';

const USAGE = 'usage: npm run rename -- <name> [--dry-run] [--no-note]';

function fail(message: string): never {
  process.stderr.write(`rename: ${message}\n`);
  process.exit(1);
}

/**
 * By hand rather than util.parseArgs: a name such as `-x` must reach the
 * name check (and its message), not fail as an unknown option.
 */
function parse(): { name: string; dryRun: boolean; note: boolean } {
  const flags = new Set<string>();
  const positionals: string[] = [];
  let rest = false;
  for (const arg of process.argv.slice(2)) {
    if (!rest && arg === '--') rest = true;
    else if (!rest && ['--dry-run', '--no-note', '--help', '-h'].includes(arg)) flags.add(arg);
    else positionals.push(arg);
  }
  if (flags.has('--help') || flags.has('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const [name, ...others] = positionals;
  if (name === undefined || others.length > 0) fail(`give exactly one name; ${USAGE}`);
  return { name, dryRun: flags.has('--dry-run'), note: !flags.has('--no-note') };
}

/**
 * Every later rename finds the project name by its occurrences, so a name
 * that already occurs as something else (app, edge, shop in prose) would be
 * mixed up with it from then on. This folder and the fork check are left
 * out: their docs and tests use example names, and renaming those along
 * does no harm.
 */
function collision(files: { path: string; text: string }[], to: string): string | undefined {
  const pattern = matcher({ name: to, scope: to });
  let count = 0;
  let first = '';
  for (const file of files) {
    if (file.path.startsWith('scripts/rename/') || file.path === 'scripts/fork-check.ts') continue;
    file.text.split('\n').forEach((line, index) => {
      pattern.lastIndex = 0;
      if (!pattern.test(line)) return;
      count += 1;
      first ||= `${file.path}:${index + 1}`;
    });
  }
  if (count === 0) return undefined;
  return `"${to}" already occurs on ${count} line(s) (first ${first}); a later rename could not tell the project name from them`;
}

const show = (line: string) => line.trim() || '(empty)';

/**
 * A longer or shorter name shifts Markdown table columns and can move a
 * scoped import to another place in the sorted order, so `biome ci` would
 * fail on the renamed tree. Only the files just rewritten are formatted.
 */
function formatRewritten(root: string, paths: string[]): string {
  const biome = join(root, 'node_modules/.bin/biome');
  if (!existsSync(biome))
    return 'biome is not installed: run npx biome check --write . after npm install';
  const result = spawnSync(
    biome,
    ['check', '--write', '--files-ignore-unknown=true', '--no-errors-on-unmatched', ...paths],
    { cwd: root, encoding: 'utf8' },
  );
  if (result.status !== 0)
    return `biome check --write failed on the rewritten files:\n${result.stderr}${result.stdout}`;
  return `biome check --write on the rewritten files: ${result.stderr.trim() || result.stdout.trim()}`;
}

function main(): void {
  const { name: to, dryRun, note } = parse();
  const problem = nameProblem(to);
  if (problem) fail(problem);

  const root = resolve(import.meta.dirname, '../..');
  let from: Plan['from'];
  try {
    from = detectCurrent(root);
  } catch (error) {
    fail((error as Error).message);
  }
  if (from.name === to && from.scope === to) {
    process.stdout.write(`already named ${to} (scope @${to}/): nothing to change\n`);
    return;
  }

  const files = trackedTextFiles(root);
  if (from.name !== to) {
    const clash = collision(files, to);
    if (clash) fail(clash);
  }

  const plan: Plan = { from, to };
  const edits: { path: string; text: string; changes: Change[] }[] = [];
  for (const file of files) {
    let { text, changes } = rewriteText(file.text, plan);
    if (file.path === 'README.md' && note && from.name !== to) {
      const noted = addNote(text, from.name);
      text = noted.text;
      if (noted.change) changes = [...changes, noted.change];
    }
    if (file.path === 'package-lock.json' && changes.length > 0) text = sortLockfilePackages(text);
    if (changes.length > 0) edits.push({ path: file.path, text, changes });
  }

  const lines = edits.reduce((sum, edit) => sum + edit.changes.length, 0);
  const what = `${from.name} → ${to}, @${from.scope}/ → @${to}/`;
  if (dryRun) {
    for (const edit of edits) {
      for (const change of edit.changes) {
        process.stdout.write(
          `${edit.path}:${change.line}: ${show(change.old)} → ${show(change.new)}\n`,
        );
      }
    }
    process.stdout.write(
      `dry run (${what}): would change ${edits.length} files, ${lines} lines; nothing written\n`,
    );
    return;
  }
  if (edits.length === 0) {
    process.stdout.write(`${what}: nothing to change\n`);
    return;
  }
  for (const edit of edits) writeFileSync(join(root, edit.path), edit.text);
  const formatted = formatRewritten(
    root,
    edits.map((edit) => edit.path),
  );
  process.stdout.write(
    `renamed ${what}: ${edits.length} files, ${lines} lines changed\n` +
      `${formatted}\n` +
      'node_modules still links the old scope: run npm install (or npm ci) next\n',
  );
}

main();
