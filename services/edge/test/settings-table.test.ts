/**
 * The README's settings table is exactly what src/settings.ts renders
 * (`@stack/shared/settings-table`): a setting added, renamed or changed
 * without `npm run settings:docs` fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { settingsTable, tableIn } from '@stack/shared/settings-table';
import { SETTINGS } from '../src/settings.ts';

test('edge: the README settings table is the one its entries render', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.equal(
    tableIn(readme, 'services/edge/README.md'),
    settingsTable(SETTINGS),
    'the README table is stale: run `npm run settings:docs`',
  );
});
