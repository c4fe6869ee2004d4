/**
 * The swarm scripts' settings, from the environment (units in the names, as
 * everywhere in this repository). A bad value throws one line naming it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface SwarmSettings {
  /** `docker stack deploy`'s stack name: services become `<stack>_app`, ... */
  stack: string;
  /** Where render.ts writes the stack file (artifacts/ is git-ignored). */
  stackFile: string;
  /** The repository root, where compose.yaml and compose.swarm.yaml live. */
  root: string;
  /** Overlays merged after compose.swarm.yaml, in order (absolute paths). */
  composeFiles: readonly string[];
  /** How long deploy and roll wait for the services to settle. */
  timeoutMs: number;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer (milliseconds), got "${raw}"`);
  }
  return value;
}

/**
 * SWARM_COMPOSE_FILES: comma-separated compose files (from the repository
 * root, or absolute) merged after compose.swarm.yaml, e.g. a production
 * overlay of your own. Each must exist.
 */
function composeFiles(): string[] {
  const raw = process.env.SWARM_COMPOSE_FILES ?? '';
  const files = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return files.map((entry) => {
    const file = path.resolve(ROOT, entry);
    if (!existsSync(file)) throw new Error(`SWARM_COMPOSE_FILES: no file ${entry} (${file})`);
    return file;
  });
}

export function loadSettings(): Readonly<SwarmSettings> {
  const stack = process.env.SWARM_STACK || 'ts-deploy-stack';
  // Docker's rule for stack names (they prefix every service, network, volume).
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(stack)) {
    throw new Error(`SWARM_STACK must be letters, digits, _ or -, got "${stack}"`);
  }
  return Object.freeze({
    stack,
    stackFile: path.resolve(ROOT, process.env.SWARM_STACK_FILE || 'artifacts/swarm/stack.yaml'),
    root: ROOT,
    composeFiles: Object.freeze(composeFiles()),
    timeoutMs: positiveInt('SWARM_TIMEOUT_MS', 300_000),
  });
}
