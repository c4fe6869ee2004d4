// Relative links in the repo's Markdown: every target file exists, every
// #anchor names a heading of its target. Hand-written rather than a parser
// dependency: the repo's Markdown is plain (no HTML blocks, no nested
// brackets in targets), and the root package takes no new dependency for a
// docs check.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export type BrokenLink = { file: string; line: number; target: string; reason: string };

// Blank out code (fenced blocks, inline spans) keeping every offset and
// newline, so a match's offset still gives its line.
export function maskCode(text: string): string {
  const lines = text.split('\n');
  let fence: { char: string; length: number } | null = null;
  const out = lines.map((line) => {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      const run = close?.[1] ?? '';
      if (run[0] === fence.char && run.length >= fence.length) fence = null;
      return ' '.repeat(line.length);
    }
    if (open?.[1]) {
      fence = { char: open[1].charAt(0), length: open[1].length };
      return ' '.repeat(line.length);
    }
    return line;
  });
  // An inline span closes on a backtick run of the same length (CommonMark);
  // an unmatched run is literal text.
  return out
    .join('\n')
    .replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (span) => span.replace(/[^\n]/g, ' '));
}

// GitHub's heading anchor: lowercase, drop everything but letters, marks,
// numbers, connector punctuation (`_`), spaces and `-`; spaces become `-`;
// a repeated heading gets -1, -2, ...
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

function headingText(raw: string): string {
  return raw
    .replace(/\s+#+\s*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .replace(/<[^>]+>/g, '');
}

export function anchors(markdown: string): Set<string> {
  const masked = maskCode(markdown);
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const add = (text: string) => {
    const base = slug(headingText(text));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  };
  // Structure from the masked text (a `#` in a code block is no heading),
  // heading text from the original (inline code counts in the slug).
  const lines = masked.split('\n');
  const original = markdown.split('\n');
  lines.forEach((line, i) => {
    const atx = /^ {0,3}#{1,6}[ \t]+/.exec(line);
    const prev = lines[i - 1] ?? '';
    if (atx) add((original[i] ?? '').replace(/^ {0,3}#{1,6}[ \t]+/, ''));
    else if (
      /^ {0,3}(=+|-+)\s*$/.test(line) &&
      /\S/.test(prev) &&
      !/^ {0,3}([-*+]\s|#|>)/.test(prev)
    ) {
      add(original[i - 1] ?? '');
    }
    for (const m of line.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) found.add(m[1] ?? '');
  });
  return found;
}

export type Link = { line: number; target: string };

export function links(markdown: string): Link[] {
  const masked = maskCode(markdown);
  const lineAt = (offset: number) => masked.slice(0, offset).split('\n').length;
  const found: Link[] = [];
  // Inline links and images: `](` then the destination, bare or in <>.
  for (const m of masked.matchAll(/\]\(\s*(<[^>\n]*>|[^\s)]+)/g)) {
    found.push({ line: lineAt(m.index), target: (m[1] ?? '').replace(/^<|>$/g, '') });
  }
  // Reference definitions: `[label]: destination` at a line start.
  for (const m of masked.matchAll(/^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)/gm)) {
    found.push({ line: lineAt(m.index), target: (m[1] ?? '').replace(/^<|>$/g, '') });
  }
  return found.sort((a, b) => a.line - b.line);
}

const external = /^[a-z][a-z0-9+.-]*:/i;

export function checkFile(root: string, file: string): BrokenLink[] {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  const broken: BrokenLink[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (p: string) => {
    if (!anchorCache.has(p)) anchorCache.set(p, anchors(readFileSync(p, 'utf8')));
    return anchorCache.get(p) as Set<string>;
  };
  for (const { line, target } of links(text)) {
    if (external.test(target)) continue;
    const [pathPart, anchor] = splitAnchor(target);
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathPart.split('?')[0] ?? '');
    } catch {
      broken.push({ file, line, target, reason: 'bad percent-encoding' });
      continue;
    }
    // GitHub resolves a leading / against the repository root.
    const dest =
      decoded === ''
        ? path
        : decoded.startsWith('/')
          ? join(root, decoded)
          : resolve(dirname(path), decoded);
    if (relative(root, dest).startsWith('..')) {
      broken.push({ file, line, target, reason: 'outside the repository' });
      continue;
    }
    if (!existsSync(dest)) {
      broken.push({ file, line, target, reason: 'no such file' });
      continue;
    }
    // Anchors are checked in Markdown only: in code files `#L10` names a line.
    if (anchor !== undefined && dest.endsWith('.md') && statSync(dest).isFile()) {
      if (!anchorsOf(dest).has(decodeURIComponent(anchor).toLowerCase())) {
        broken.push({ file, line, target, reason: 'no such heading' });
      }
    }
  }
  return broken;
}

function splitAnchor(target: string): [string, string | undefined] {
  const hash = target.indexOf('#');
  return hash === -1 ? [target, undefined] : [target.slice(0, hash), target.slice(hash + 1)];
}

export function checkRepo(root: string): BrokenLink[] {
  const files = execFileSync('git', ['ls-files', '-z', '*.md'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  return files.flatMap((file) => checkFile(root, file));
}

export function report(broken: BrokenLink[]): string {
  return broken.map((b) => `${b.file}:${b.line} → ${b.target} (${b.reason})`).join('\n');
}
