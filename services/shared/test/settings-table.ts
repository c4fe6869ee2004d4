/**
 * Helpers for each service's settings-table test: the README's "Settings"
 * table and the settings its config.ts declares, both reduced to
 * `{ name, default }` so the tests compare strings. Not a `.test.ts` file:
 * shared's own suite must not run it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { test } from 'node:test';

export interface Row {
  readonly name: string;
  /** The default as text; `undefined`: the setting has none. */
  readonly default: string | undefined;
}

/** A default the code computes at start: only an explicit exemption may stand for it. */
export class Computed {
  readonly expression: string;
  constructor(expression: string) {
    this.expression = expression;
  }
}

export interface Declared {
  readonly name: string;
  readonly default: string | undefined | Computed;
}

const NO_DEFAULT = new Set(['', '—', '-', '(none)', 'none']);

/**
 * The rows of the first table under `## Settings`. A row may name several
 * settings (`PGPASSWORD` / `PGPASSWORD_FILE`): each gets the row's default.
 */
export function readmeSettings(readmePath: string): Row[] {
  const lines = readFileSync(readmePath, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^##\s+Settings\s*$/.test(line));
  if (start === -1) throw new Error(`${readmePath}: no "## Settings" section`);
  const rows: Row[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,2}\s/.test(line)) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    // The header row, then the delimiter row.
    if (!inTable) {
      inTable = true;
      continue;
    }
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    const [nameCell = '', defaultCell = ''] = cells;
    const names = [...nameCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1] ?? '');
    if (names.length === 0) throw new Error(`${readmePath}: a row names no setting: ${line}`);
    for (const name of names) rows.push({ name, default: normalizeReadmeDefault(defaultCell) });
  }
  if (rows.length === 0) throw new Error(`${readmePath}: no table under "## Settings"`);
  return rows;
}

/**
 * Backticks go, and so does a trailing gloss in parentheses (`67108864` (64
 * MiB), `0` (off)): the value is what a reader would type.
 */
export function normalizeReadmeDefault(cell: string): string | undefined {
  if (NO_DEFAULT.has(cell.trim())) return undefined;
  const text = cell
    .replace(/\s*\([^)]*\)\s*$/, '')
    .replaceAll('`', '')
    .trim();
  // "empty" is a default: the empty string (an empty list), unlike "—".
  return text === 'empty' ? '' : text;
}

/** A code default as the README writes it: lists comma-separated, no default `undefined`. */
export function renderDefault(value: unknown): string | undefined | Computed {
  if (value instanceof Computed || value === undefined) return value;
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}

/**
 * The settings a config.ts declares: the top-level keys of the object literal
 * that opens at the line containing `marker` and closes at the next line
 * starting with `}`. Read from the source because neither config.ts exports
 * its schema, and a second list of names in the test would drift like the
 * README. Each key's text (up to the next key) goes to `defaultOf`.
 */
export function declaredSettings(
  configPath: string,
  marker: string,
  defaultOf: (name: string, entry: string, source: string) => unknown,
): Declared[] {
  const source = readFileSync(configPath, 'utf8');
  const lines = source.split('\n');
  const start = lines.findIndex((line) => line.includes(marker));
  if (start === -1) throw new Error(`${configPath}: no line containing ${marker}`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('}'));
  const entries: { name: string; lines: string[] }[] = [];
  for (const line of lines.slice(start + 1, end)) {
    const key = /^ {2}([A-Z][A-Z0-9_]*):/.exec(line);
    if (key?.[1]) entries.push({ name: key[1], lines: [] });
    entries.at(-1)?.lines.push(line);
  }
  if (entries.length === 0) throw new Error(`${configPath}: no settings after ${marker}`);
  return entries.map(({ name, lines: entry }) => ({
    name,
    default: renderDefault(defaultOf(name, entry.join('\n'), source)),
  }));
}

/**
 * The fallback a config.ts writes where it reads the setting:
 * `settings.NAME ?? <expression>` or `f('NAME', settings.NAME, <expression>)`.
 * `undefined` when the code reads it with no fallback.
 */
export function fallbackExpression(source: string, name: string): string | undefined {
  const expression = String.raw`\s*([\w.\[\]'"]+(?:\(\))?)`;
  const patterns = [
    new RegExp(String.raw`settings\.${name}\s*\?\?${expression}`),
    new RegExp(String.raw`'${name}',\s*settings\.${name},${expression}`),
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(source)?.[1];
    if (match !== undefined) return match;
  }
  return undefined;
}

/** A literal the test can evaluate without running the code: number, string, boolean, `[]`. */
export function literal(expression: string): unknown {
  if (/^-?[\d_]+(\.\d+)?$/.test(expression)) return Number(expression.replaceAll('_', ''));
  if (/^'[^']*'$|^"[^"]*"$/.test(expression)) return expression.slice(1, -1);
  if (expression === 'true' || expression === 'false') return expression === 'true';
  if (expression === '[]') return [];
  return new Computed(expression);
}

/**
 * The three checks, as tests: every declared setting has a row, every row is
 * declared, and each default matches. `exempt` maps a setting whose default
 * the code computes to why the README's wording stands for it; an exemption
 * for a setting the code does not compute fails too, so the list cannot rot.
 */
export function settingsTableTests(
  readmePath: string,
  declared: readonly Declared[],
  exempt: Readonly<Record<string, string>>,
): void {
  // Both suites' tests share these names: the service's says which failed.
  const service = basename(dirname(readmePath));
  const rows = readmeSettings(readmePath);
  const documented = new Map(rows.map((row) => [row.name, row]));
  const inCode = new Map(declared.map((setting) => [setting.name, setting]));

  test(`${service}: every setting the config declares has a row in the README`, () => {
    assert.deepEqual(
      declared.map(({ name }) => name).filter((name) => !documented.has(name)),
      [],
    );
  });

  test(`${service}: every row of the README is a setting the config declares`, () => {
    assert.deepEqual(
      rows.map(({ name }) => name).filter((name) => !inCode.has(name)),
      [],
    );
    assert.equal(documented.size, rows.length, 'a setting has two rows');
  });

  test(`${service}: each row's default is the code's`, () => {
    const computed = declared.filter((setting) => setting.default instanceof Computed);
    assert.deepEqual(
      computed.map(({ name }) => name).sort(),
      Object.keys(exempt).sort(),
      'computed defaults and exemptions differ',
    );
    const mismatches = declared
      .filter((setting) => !(setting.default instanceof Computed) && documented.has(setting.name))
      .map((setting) => ({
        name: setting.name,
        code: setting.default,
        readme: documented.get(setting.name)?.default,
      }))
      .filter(({ code, readme }) => code !== readme);
    assert.deepEqual(mismatches, []);
  });
}
