/**
 * The README's settings table (README.md, "Settings") against config.ts: the
 * names from EnvSchema, the defaults from each property's `default:` or else
 * the fallback loadConfig writes (`settings.APP_X ?? ...`). Reads the source
 * only: no database, no import of the app.
 */
import { fileURLToPath } from 'node:url';
import {
  declaredSettings,
  fallbackExpression,
  literal,
  settingsTableTests,
} from '@stack/shared/test/settings-table';

const CONFIG = fileURLToPath(new URL('../src/config.ts', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));

// Defaults derived from something else at start, so the README names the source.
const EXEMPT = {
  APP_VERSION: 'pkg.version: the README says "version of package.json"',
  PGDATABASE: "the user's name, libpq's rule: the README says $PGUSER",
};

const declared = declaredSettings(
  CONFIG,
  'const EnvSchema = Type.Object({',
  (name, entry, source) => {
    const schemaDefault = /\bdefault:\s*([^,\n}]+)/.exec(entry)?.[1]?.trim();
    const expression = schemaDefault ?? fallbackExpression(source, name);
    return expression === undefined ? undefined : literal(expression);
  },
);

settingsTableTests(README, declared, EXEMPT);
