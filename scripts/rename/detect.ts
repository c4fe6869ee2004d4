import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Current = { name: string; scope: string };

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/**
 * The names now in use, read from the manifests rather than assumed, so a
 * fork already renamed once can be renamed again.
 */
export function detectCurrent(root: string): Current {
  const manifest = readJson(join(root, 'package.json'));
  const name = manifest.name;
  if (typeof name !== 'string' || name === '') throw new Error('package.json has no "name"');
  const workspaces = manifest.workspaces;
  if (!Array.isArray(workspaces) || workspaces.length === 0) {
    throw new Error('package.json has no "workspaces" to read the npm scope from');
  }
  const scopes = new Set<string>();
  for (const dir of workspaces) {
    const workspaceName = readJson(join(root, String(dir), 'package.json')).name;
    const scope = typeof workspaceName === 'string' ? workspaceName.match(/^@([^/]+)\//) : null;
    if (!scope?.[1]) throw new Error(`${dir}/package.json: name ${workspaceName} has no @scope/`);
    scopes.add(scope[1]);
  }
  if (scopes.size !== 1) {
    throw new Error(`the workspaces use more than one scope: ${[...scopes].join(', ')}`);
  }
  return { name, scope: [...scopes][0] as string };
}
