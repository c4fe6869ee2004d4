/**
 * The README's settings table (README.md, "Settings") against config.ts: the
 * names from its schema's PROPERTIES, the defaults from the fallbacks
 * loadConfig writes (`settings.EDGE_X ?? DEFAULTS.x`), valued from DEFAULTS.
 */
import { fileURLToPath } from 'node:url';
import {
  Computed,
  declaredSettings,
  fallbackExpression,
  literal,
  settingsTableTests,
} from '@stack/shared/test/settings-table';
import { DEFAULTS } from '../src/config.ts';

const CONFIG = fileURLToPath(new URL('../src/config.ts', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));

// Defaults that depend on the machine, so the README describes them in words.
const EXEMPT = {
  EDGE_WORKERS: 'availableParallelism(): the README says "cores"',
};

const declared = declaredSettings(CONFIG, 'const PROPERTIES = {', (name, _entry, source) => {
  const expression = fallbackExpression(source, name);
  if (expression === undefined) return undefined;
  const key = /^DEFAULTS\.(\w+)$/.exec(expression)?.[1];
  if (key === undefined) return literal(expression);
  if (!(key in DEFAULTS)) return new Computed(expression);
  return DEFAULTS[key as keyof typeof DEFAULTS];
});

settingsTableTests(README, declared, EXEMPT);
