/** The Swarm scripts' settings: SWARM_COMPOSE_FILES, the overlays merged after compose.swarm.yaml. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { loadSettings } from '../settings.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

afterEach(() => {
  delete process.env.SWARM_COMPOSE_FILES;
});

test('no SWARM_COMPOSE_FILES: no overlay after compose.swarm.yaml', () => {
  assert.deepEqual(loadSettings().composeFiles, []);
});

test('SWARM_COMPOSE_FILES: each entry from the repository root or absolute, in order', () => {
  const dev = path.join(ROOT, 'compose.dev.yaml');
  process.env.SWARM_COMPOSE_FILES = ` compose.yaml ,, ${dev}`;
  assert.deepEqual(loadSettings().composeFiles, [path.join(ROOT, 'compose.yaml'), dev]);
});

test('SWARM_COMPOSE_FILES naming a file that does not exist: one line naming it', () => {
  process.env.SWARM_COMPOSE_FILES = 'compose.yaml,compose.prod.yaml';
  assert.throws(loadSettings, /^Error: SWARM_COMPOSE_FILES: no file compose\.prod\.yaml \(/);
});
