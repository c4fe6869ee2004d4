/**
 * A service's README settings table, rendered from its entries
 * (setting-entries.ts), and the README text between the two marker
 * comments that holds it. `npm run settings:docs` writes it; each
 * service's settings-table test fails when the README's differs.
 */
import { type Entries, isComputed, type Setting } from './setting-entries.ts';

export const TABLE_START = '<!-- settings:start -->';
export const TABLE_END = '<!-- settings:end -->';

const HEADER = ['setting', 'default', 'accepts', 'what'] as const;

/** The Markdown table, one row per entry in their order, columns padded. */
export function settingsTable(entries: Entries): string {
  const rows = Object.values(entries).map((entry) => [
    `\`${entry.env}\``,
    defaultCell(entry),
    entry.format.schema.description,
    entry.doc,
  ]);
  const cells = [[...HEADER], ...rows].map((row) => row.map(escapeCell));
  const widths = HEADER.map((_, column) =>
    Math.max(3, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header = [], ...body] = cells;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join(
    '\n',
  );
}

// biome-ignore lint/suspicious/noExplicitAny: any entry, whatever its value type.
function defaultCell(entry: Setting<any>): string {
  const value = entry.default;
  if (value === undefined) return '—';
  if (isComputed(value)) return value.label;
  if (value === '') return 'empty';
  const gloss = entry.format.gloss?.(value);
  return gloss === undefined ? `\`${String(value)}\`` : `\`${String(value)}\` (${gloss})`;
}

function escapeCell(cell: string): string {
  return cell.replaceAll('|', '\\|');
}

/** The table between the markers of `readme`, trimmed; throws when they are missing. */
export function tableIn(readme: string, source = 'README'): string {
  const [start, end] = markerOffsets(readme, source);
  return readme.slice(start + TABLE_START.length, end).trim();
}

/** `readme` with `table` between its markers. */
export function withTable(readme: string, table: string, source = 'README'): string {
  const [start, end] = markerOffsets(readme, source);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

function markerOffsets(readme: string, source: string): [number, number] {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) {
    throw new Error(`${source}: no ${TABLE_START} … ${TABLE_END} around the settings table`);
  }
  return [start, end];
}
