/**
 * What a team does on its first afternoon, checked: clone this repository,
 * install, `npm run rename -- acme-shop`, `npm install` (the lockfile must
 * stand as the rename wrote it), add a resource by
 * following docs/add-a-resource.md (scripts/walkthrough), lint, typecheck,
 * run the tests the walkthrough added, bring the renamed stack up, load its
 * page and assets through the edge, create a record of the new resource and
 * load its page through the edge, take it down. Fails when an old name
 * survives the rename (outside the "forked from" line the rename leaves in
 * the README) or when any step fails.
 *
 *   node scripts/fork-check.ts [name]      # default acme-shop; needs Docker
 *
 * The clone lives in a temporary directory named after the new project, so
 * Compose's project name is the new name too; the stack, its volumes and its
 * two images are removed whatever happened.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticPaths } from '../e2e/src/http.ts';
import { freePort } from './bench/processes.ts';
import { addNotes, WALKTHROUGH } from './walkthrough/add-notes.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const name = process.argv[2] ?? 'acme-shop';
const oldName = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string })
  .name;
const started = performance.now();

function step(what: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`fork-check: ${what} (${seconds} s)`);
}

function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status ?? result.signal}\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Every line of a tracked file that still names the old project or its scope. */
function survivors(dir: string): string[] {
  const found = spawnSync('git', ['grep', '-n', '-i', '-I', '-e', oldName, '-e', '@stack/'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return found.stdout
    .split('\n')
    .filter(Boolean)
    .filter((line) => !/forked from/i.test(line));
}

/** The walkthrough's resource, end to end through the edge: JSON in, HTML out. */
async function checkNotes(origin: string): Promise<void> {
  const body = `fork-check note ${Date.now()}`;
  const created = await fetch(`${origin}/api/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ body }),
  });
  if (created.status !== 201) {
    throw new Error(`POST /api/notes answered ${created.status}: ${await created.text()}`);
  }
  const { id } = (await created.json()) as { id: number };
  const page = await fetch(`${origin}/notes`, { headers: { accept: 'text/html' } });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET /notes answered ${page.status}`);
  if (!html.includes(`id="note-${id}"`) || !html.includes(body)) {
    throw new Error(`GET /notes does not show note ${id}`);
  }
}

async function main(): Promise<void> {
  const parent = mkdtempSync(join(tmpdir(), 'fork-check-'));
  const dir = join(parent, name);
  const compose = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(dir, 'docker', ['compose', ...args], env);
  let up = false;
  try {
    run(ROOT, 'git', ['clone', '-q', ROOT, dir]);
    step(`cloned into ${dir}`);
    // Installed first, as a team that tried the clone before forking it has:
    // the rename then formats what it rewrote with the installed biome. This
    // checkout's node_modules (the same lockfile's `npm ci`) stands in for
    // that install; its workspace links are relative, so they hold in a copy.
    run(ROOT, 'cp', ['-a', join(ROOT, 'node_modules'), join(dir, 'node_modules')]);
    step('node_modules copied from this checkout');
    process.stdout.write(run(dir, 'npm', ['run', '--silent', 'rename', '--', name]));
    const left = survivors(dir);
    if (left.length > 0) throw new Error(`old names left after the rename:\n${left.join('\n')}`);
    step(`renamed ${oldName} → ${name}; git grep finds no old name`);
    // The README's next step. A lockfile the rename left inconsistent with
    // the package.json files would be rewritten here: that fails the check.
    const lockfile = join(dir, 'package-lock.json');
    const renamedLock = readFileSync(lockfile, 'utf8');
    run(dir, 'npm', ['install', '--no-audit', '--no-fund']);
    if (readFileSync(lockfile, 'utf8') !== renamedLock) {
      throw new Error(
        `npm install rewrote the renamed lockfile:\n${run(dir, 'git', ['diff', '--stat'])}`,
      );
    }
    step('npm install: the renamed lockfile stands as it is');
    // After the rename, as a team would: the walkthrough must fit any name.
    const added = addNotes(dir);
    step(`${WALKTHROUGH} applied: ${added.length} files written or edited`);
    run(dir, 'npx', ['biome', 'ci', '.']);
    run(dir, 'npx', ['tsc', '--noEmit', '-p', '.']);
    step('lint and typecheck');
    const tests = added.filter((file) => file.endsWith('.test.ts'));
    if (tests.length === 0) throw new Error(`${WALKTHROUGH} adds no test file`);
    run(dir, process.execPath, [
      '--test',
      '--test-global-setup=services/app/test/helpers/global-postgres.ts',
      ...tests,
    ]);
    step(`the walkthrough's tests pass: ${tests.join(', ')}`);
    const port = await freePort();
    up = true;
    compose(['up', '--build', '--wait', '--quiet-pull'], {
      HTTP_PORT: String(port),
      HTTPS_PORT: '0',
    });
    step(`docker compose up --build --wait, project ${name}, port ${port}`);
    const origin = `http://127.0.0.1:${port}`;
    const page = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
    if (page.status !== 200) throw new Error(`GET / answered ${page.status}`);
    const assets = staticPaths(await page.text());
    if (assets.length === 0) throw new Error('the page names no /static/ asset');
    for (const path of assets) {
      const res = await fetch(`${origin}${path}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    }
    step(`the page and its ${assets.length} assets load through the edge`);
    await checkNotes(origin);
    step('a note posted to /api/notes shows on /notes, through the edge');
  } finally {
    if (up) {
      // Named, not --rmi all: that would also remove the postgres image.
      spawnSync('docker', ['compose', 'down', '--volumes', '--timeout', '1'], { cwd: dir });
      spawnSync('docker', ['rmi', `${name}/app:local`, `${name}/edge:local`]);
    }
    rmSync(parent, { recursive: true, force: true });
  }
  step('stack, volumes, images and clone removed');
}

main().catch((error: unknown) => {
  console.error(`fork-check: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
