/**
 * A Markdown walkthrough's code blocks as edits to a checkout. A fenced
 * block whose info string names a file is applied; any other block (a
 * shell command, an example) is only read:
 *
 *   ```ts file=src/new.ts                      the whole of a new file
 *   ```ts file=src/app.ts after="import a"      lines inserted after the one line containing `import a`,
 *                                              at its indentation
 *   ```ts file=src/app.ts before="return app"   ... or before it
 *
 * So the page a person follows and the edits a script makes are the same
 * text, and cannot drift apart.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

export interface Block {
  /** Path relative to the checkout's root. */
  file: string;
  /** Absent: the block is a new file. */
  anchor?: { where: 'after' | 'before'; text: string };
  /** The block's lines, each ending in a newline. */
  text: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

const KNOWN = new Set(['file', 'after', 'before']);

function attributes(info: string, line: number): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of info.matchAll(/(\S+?)=(?:"([^"]*)"|(\S+))/g)) {
    const [, key = '', quoted, bare] = match;
    if (!KNOWN.has(key)) throw new Error(`line ${line}: unknown attribute ${key}=`);
    found.set(key, quoted ?? bare ?? '');
  }
  return found;
}

/** The blocks of `markdown` that name a file, in the order they appear. */
export function parseBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})(.*)$/.exec(lines[i] ?? '');
    if (!open?.[1]) continue;
    const fence = open[1];
    const start = i + 1;
    let end = start;
    while (
      end < lines.length &&
      !new RegExp(`^${fence[0]}{${fence.length},}\\s*$`).test(lines[end] ?? '')
    )
      end++;
    if (end === lines.length) throw new Error(`line ${start}: the block is never closed`);
    i = end;
    // CommonMark: a backtick fence's info string holds no backtick; one that
    // does is not a fence, and a Markdown formatter rewrites what follows.
    if (fence[0] === '`' && open[2]?.includes('`')) {
      throw new Error(`line ${start}: a \`\`\` block's info string cannot hold a backtick`);
    }
    const attrs = attributes(open[2] ?? '', start);
    const file = attrs.get('file');
    if (file === undefined) continue;
    const after = attrs.get('after');
    const before = attrs.get('before');
    if (after !== undefined && before !== undefined) {
      throw new Error(`line ${start}: a block is inserted after or before a line, not both`);
    }
    const text = lines
      .slice(start, end)
      .map((line) => `${line}\n`)
      .join('');
    const anchor =
      after !== undefined
        ? { where: 'after' as const, text: after }
        : before !== undefined
          ? { where: 'before' as const, text: before }
          : undefined;
    blocks.push({ file, text, line: start, ...(anchor ? { anchor } : {}) });
  }
  return blocks;
}

function insert(content: string, block: Block & { anchor: NonNullable<Block['anchor']> }): string {
  const lines = content.split('\n');
  const hits = lines.flatMap((line, index) => (line.includes(block.anchor.text) ? [index] : []));
  if (hits.length !== 1) {
    throw new Error(
      `line ${block.line}: ${block.file} has ${hits.length} lines containing "${block.anchor.text}", not exactly one`,
    );
  }
  const index = hits[0] ?? 0;
  // Inserted lines take the anchor's indentation, so a block in the page
  // starts at column 0 (Markdown formatters strip a block's common indent).
  const indent = /^\s*/.exec(lines[index] ?? '')?.[0] ?? '';
  const inserted = block.text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? line : indent + line));
  const at = index + (block.anchor.where === 'after' ? 1 : 0);
  return [...lines.slice(0, at), ...inserted, ...lines.slice(at)].join('\n');
}

function target(root: string, block: Block): string {
  const path = normalize(block.file);
  if (isAbsolute(path) || path === '..' || path.startsWith(`..${sep}`)) {
    throw new Error(`line ${block.line}: ${block.file} is not inside the checkout`);
  }
  return join(root, path);
}

/**
 * The content of every file `blocks` write, applied in order to the checkout
 * at `root`, written nowhere: a block that does not fit (a new file that
 * exists, an insertion into a missing file, an anchor not found exactly
 * once) throws before anything changes.
 */
export function planBlocks(root: string, blocks: Block[]): Map<string, string> {
  const pending = new Map<string, string>();
  for (const block of blocks) {
    const path = target(root, block);
    const current =
      pending.get(path) ?? (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
    if (block.anchor) {
      if (current === undefined)
        throw new Error(`line ${block.line}: ${block.file} does not exist`);
      pending.set(path, insert(current, { ...block, anchor: block.anchor }));
    } else {
      if (current !== undefined)
        throw new Error(`line ${block.line}: ${block.file} already exists`);
      pending.set(path, block.text);
    }
  }
  return pending;
}

/** Applies `blocks` to the checkout at `root` (all or nothing); returns the files written. */
export function applyBlocks(root: string, blocks: Block[]): string[] {
  const pending = planBlocks(root, blocks);
  for (const [path, content] of pending) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return [...pending.keys()];
}
