/**
 * `npm run settings:docs`: rewrites each service's README settings table,
 * between `<!-- settings:start -->` and `<!-- settings:end -->`, from the
 * entries in its src/settings.ts. Each service's settings-table test fails
 * while a README's table differs from what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Entries } from '@stack/shared/setting-entries';
import { settingsTable, withTable } from '@stack/shared/settings-table';
import { SETTINGS as APP_SETTINGS } from '../services/app/src/settings.ts';
import { SETTINGS as EDGE_SETTINGS } from '../services/edge/src/settings.ts';

const SERVICES: readonly { readme: string; entries: Entries }[] = [
  { readme: '../services/app/README.md', entries: APP_SETTINGS },
  { readme: '../services/edge/README.md', entries: EDGE_SETTINGS },
];

for (const { readme, entries } of SERVICES) {
  const path = fileURLToPath(new URL(readme, import.meta.url));
  const name = relative(process.cwd(), path);
  const before = readFileSync(path, 'utf8');
  const after = withTable(before, settingsTable(entries), name);
  if (after === before) {
    console.log(`${name}: up to date`);
  } else {
    writeFileSync(path, after);
    console.log(`${name}: table rewritten`);
  }
}
