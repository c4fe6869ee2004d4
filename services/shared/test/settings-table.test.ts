import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes, computed, integer, setting, text } from '../src/setting-entries.ts';
import {
  settingsTable,
  TABLE_END,
  TABLE_START,
  tableIn,
  withTable,
} from '../src/settings-table.ts';

const ENTRIES = {
  port: setting({ env: 'X_PORT', format: integer(1, 65535), default: 3000, doc: 'the port' }),
  cache: setting({
    env: 'X_CACHE_BYTES',
    format: bytes(0, 2 ** 30),
    default: 64 * 1024 ** 2,
    doc: 'a | b',
  }),
  list: setting({ env: 'X_LIST', format: text('a list'), default: '', doc: 'empty: none' }),
  workers: setting({
    env: 'X_WORKERS',
    format: integer(1, 8),
    default: computed('the CPU count', () => 2),
    doc: 'workers',
  }),
  name: setting({ env: 'X_NAME', format: text('a name'), doc: 'optional' }),
};

const TABLE = [
  '| setting         | default             | accepts                         | what        |',
  '| --------------- | ------------------- | ------------------------------- | ----------- |',
  '| `X_PORT`        | `3000`              | an integer 1-65535              | the port    |',
  '| `X_CACHE_BYTES` | `67108864` (64 MiB) | an integer 0-1073741824 (bytes) | a \\| b      |',
  '| `X_LIST`        | empty               | a list                          | empty: none |',
  '| `X_WORKERS`     | the CPU count       | an integer 1-8                  | workers     |',
  '| `X_NAME`        | —                   | a name                          | optional    |',
].join('\n');

test('one row per entry: variable, default (or what stands for it), what it accepts, doc', () => {
  assert.equal(settingsTable(ENTRIES), TABLE);
});

test('columns are padded to one width', () => {
  const widths = settingsTable(ENTRIES)
    .split('\n')
    .map((line) => line.length);
  assert.equal(new Set(widths).size, 1);
});

test('the table is read and written between the markers, the rest of the README kept', () => {
  const readme = `# x\n\n## Settings\n\nintro\n\n${TABLE_START}\n\nold\n\n${TABLE_END}\n\nafter\n`;
  const table = settingsTable(ENTRIES);
  const written = withTable(readme, table);
  assert.equal(tableIn(written), table);
  assert.ok(written.startsWith('# x\n\n## Settings\n\nintro\n\n'));
  assert.ok(written.endsWith(`${TABLE_END}\n\nafter\n`));
  assert.equal(withTable(written, table), written, 'writing twice changes nothing');
  assert.equal(tableIn(readme), 'old');
});

test('a README without the markers is an error naming it', () => {
  assert.throws(() => tableIn('# x\n', 'x/README.md'), /x\/README\.md: no <!-- settings:start -->/);
});
