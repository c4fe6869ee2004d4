export type Plan = { from: { name: string; scope: string }; to: string };
export type Change = { line: number; old: string; new: string };

/**
 * The README note a rename adds. It names the project the fork came from,
 * so later renames leave it as it is.
 */
export const NOTE_PATTERN = /^Forked from \S+ \(renamed with `npm run rename`\)\.$/;
export const noteFor = (origin: string) =>
  `Forked from ${origin} (renamed with \`npm run rename\`).`;

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * One pass over both forms, so a new name that contains the old one (shop →
 * shop-2) is never rewritten twice. The name stands alone between
 * non-alphanumerics (`-`, `.`, `/`, `@` included: image names, labels);
 * the scope only as `@scope/` or a quoted `"@scope"`, never the bare word.
 */
export function matcher(from: Plan['from']): RegExp {
  const scope = `(?<![\\w.@-])@${literal(from.scope)}(?=[/"'\`])`;
  const name = `(?<![a-z0-9])${literal(from.name)}(?![a-z0-9])`;
  return new RegExp(`(${scope})|${name}`, 'gi');
}

export function rewriteLine(line: string, plan: Plan, pattern = matcher(plan.from)): string {
  if (NOTE_PATTERN.test(line.trimEnd())) return line;
  return line.replace(pattern, (found: string, scope: string | undefined) => {
    if (scope) return `@${plan.to}`;
    return found === found.toUpperCase() && found !== found.toLowerCase()
      ? plan.to.toUpperCase()
      : plan.to;
  });
}

/** The rewritten text and each changed line (1-based, as in the old text). */
export function rewriteText(text: string, plan: Plan): { text: string; changes: Change[] } {
  const pattern = matcher(plan.from);
  const changes: Change[] = [];
  const lines = text.split('\n').map((line, index) => {
    const next = rewriteLine(line, plan, pattern);
    if (next !== line) changes.push({ line: index + 1, old: line, new: next });
    return next;
  });
  return { text: lines.join('\n'), changes };
}

/**
 * Adds the note under the README's title unless a note is there already
 * (kept or edited by the user): a second run must find nothing to do.
 */
export function addNote(text: string, origin: string): { text: string; change?: Change } {
  const lines = text.split('\n');
  if (lines.some((line) => /^Forked from /.test(line))) return { text };
  const title = lines.findIndex((line) => line.startsWith('# '));
  const note = noteFor(origin);
  if (title === -1) {
    lines.unshift(note, '');
    return { text: lines.join('\n'), change: { line: 1, old: '', new: note } };
  }
  lines.splice(title + 1, 0, '', note);
  return { text: lines.join('\n'), change: { line: title + 3, old: '', new: note } };
}
