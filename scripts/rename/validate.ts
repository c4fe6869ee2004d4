import { builtinModules } from 'node:module';

/**
 * The name becomes an npm package name and scope, the first component of
 * Docker image names and the default Swarm stack name, so it must pass all
 * of them:
 * - npm (validate-npm-package-name, new packages): at most 214 characters,
 *   lowercase, URL-safe, no leading `.` or `_`, not `node_modules` /
 *   `favicon.ico`, not a Node core module name.
 * - Docker reference grammar, path component: `[a-z0-9]+` runs joined by
 *   `.`, `_`, `__` or dashes; nothing else, no separator at either end.
 * - swarmkit service names (`<stack>_<service>`): `[-_]` separators only,
 *   so a `.` would make `docker stack deploy` refuse the default stack, and
 *   63 characters at most, which leaves 49 next to `_collectstatic`.
 * The intersection: lowercase letters and digits in runs joined by a single
 * `-` or `_`.
 */
export const MAX_LENGTH = 49;

const BLOCKED = new Set(['node_modules', 'favicon.ico']);

/** Why `name` cannot be used, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  if (name.length > MAX_LENGTH) {
    return `"${name.slice(0, 20)}…" is ${name.length} characters; at most ${MAX_LENGTH} (Swarm service names <name>_collectstatic stop at 63)`;
  }
  if (name !== name.toLowerCase())
    return `"${name}" has uppercase letters; npm and Docker need lowercase`;
  if (!/^[a-z0-9]/.test(name)) {
    return `"${name}" starts with "${name[0]}"; it must start with a letter or digit`;
  }
  if (!/[a-z0-9]$/.test(name)) {
    return `"${name}" ends with "${name.at(-1)}"; it must end with a letter or digit`;
  }
  const bad = name.match(/[^a-z0-9._-]/);
  if (bad) return `"${name}" has "${bad[0]}"; only a-z, 0-9, "-" and "_" are allowed`;
  if (name.includes('.')) {
    return `"${name}" has "."; Swarm refuses it in stack and service names (the name is the default stack)`;
  }
  const doubled = name.match(/[-_]{2,}/);
  if (doubled)
    return `"${name}" has "${doubled[0]}"; use a single "-" or "_" between letters and digits`;
  if (BLOCKED.has(name)) return `"${name}" is a name npm refuses`;
  if (builtinModules.includes(name)) return `"${name}" is a Node core module name; npm refuses it`;
  return undefined;
}
