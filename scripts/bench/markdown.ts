/** A Markdown table with its columns padded, so the written file reads well as text too. */
export function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ('left' | 'right')[] = [],
): string[] {
  const widths = head.map((cell, i) =>
    Math.max(3, cell.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const pad = (cell: string, i: number) =>
    align[i] === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0);
  const line = (cells: readonly string[]) =>
    `| ${head.map((_, i) => pad(cells[i] ?? '', i)).join(' | ')} |`;
  const rule = head.map((_, i) =>
    align[i] === 'right' ? `${'-'.repeat((widths[i] ?? 3) - 1)}:` : '-'.repeat(widths[i] ?? 3),
  );
  return [line(head), `| ${rule.join(' | ')} |`, ...rows.map(line)];
}

export const loadText = (load: readonly number[]) => load.map((n) => n.toFixed(2)).join(' ');
