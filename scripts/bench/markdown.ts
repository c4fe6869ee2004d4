/** Markdown tables, and how the bench's figures read in them. */

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

export const fmtK = (n: number) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)}k` : 'n/a');
export const fmtMs = (n: number | undefined) =>
  n !== undefined && Number.isFinite(n) ? n.toFixed(2) : 'n/a';
/** CPU µs: a decimal where it still means something. */
export const fmtCpu = (n: number) => (n < 100 ? n.toFixed(1) : n.toFixed(0));

/** What every section's settings line says of its rounds. */
export function roundsLine(settings: { runs: number; quick: boolean }): string {
  const quick = settings.quick ? ' (quick run: nothing judged)' : '';
  const rounds = settings.runs === 1 ? '1 round' : `${settings.runs} rounds interleaved`;
  return `${rounds}${quick}; medians, ±spread = (max − min) ÷ median`;
}

export function loadLine(start: readonly number[], end: readonly number[]): string {
  return `load average (1, 5, 15 min) ${loadText(start)} at the start, ${loadText(end)} at the end`;
}
