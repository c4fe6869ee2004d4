/**
 * `npm test`: every check the project has, in the order that fails fastest,
 * with each phase's duration. Stops at the first failing phase and exits with
 * its code, so CI and a developer see the same thing.
 *
 * Phases are listed in PHASES; `npm test -- unit` runs only the named ones.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Phase {
  name: string;
  command: string;
  args: string[];
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// Every test file and every server a test spawns is a new Node process that
// strips and compiles the same sources again; Node's compile cache keeps the
// result (keyed by each file's content, so an edit is never served stale).
const env = {
  NODE_COMPILE_CACHE: fileURLToPath(
    new URL('../node_modules/.cache/node-compile', import.meta.url),
  ),
  ...process.env,
};

const PHASES: Phase[] = [
  { name: 'lint', command: npm, args: ['run', '--silent', 'lint'] },
  { name: 'typecheck', command: npm, args: ['run', '--silent', 'typecheck'] },
  { name: 'unit', command: npm, args: ['run', '--silent', 'test:unit'] },
  // Built once and tagged (compose.yaml's image names): every stack the
  // suites below start reuses these images instead of building its own.
  { name: 'images', command: 'docker', args: ['compose', 'build', '--quiet'] },
  { name: 'smoke', command: npm, args: ['run', '--silent', 'test:smoke'] },
  { name: 'e2e', command: npm, args: ['run', '--silent', 'test:e2e'] },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !PHASES.some((phase) => phase.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown phase ${unknown.join(', ')}; phases: ${PHASES.map((p) => p.name).join(', ')}`,
  );
  process.exit(2);
}
const selected = wanted.length > 0 ? PHASES.filter((p) => wanted.includes(p.name)) : PHASES;

const timings: string[] = [];
for (const phase of selected) {
  console.log(`\n▶ ${phase.name}`);
  const started = performance.now();
  const result = spawnSync(phase.command, phase.args, { stdio: 'inherit', env });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  timings.push(`${ok ? '✓' : '✗'} ${phase.name.padEnd(10)} ${seconds.padStart(7)} s`);
  console.log(`${ok ? '✓' : '✗'} ${phase.name} took ${seconds} s`);
  if (!ok) {
    console.log(`\nphases:\n${timings.join('\n')}`);
    process.exit(result.status ?? 1);
  }
}
console.log(`\nphases:\n${timings.join('\n')}`);
