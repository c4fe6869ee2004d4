import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { TestContext } from 'node:test';
import { buildSet, collect, loadManifest, type StaticSet } from '../../src/collectstatic/index.ts';

export const CLI = join(import.meta.dirname, '..', '..', 'src', 'collectstatic', 'cli.ts');

/** A fresh temporary directory, removed when the test ends, pass or fail. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'collectstatic-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeTree(
  root: string,
  files: Record<string, string | Buffer>,
): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** Sources for the Nth version of a small site: app.css and app.js change each time, the logo never. */
export function sources(version: number): Record<string, string> {
  return {
    'css/app.css': `/* v${version} */\n${'body { color: #123; margin: 0 auto; }\n'.repeat(40)}`,
    'js/app.js': `// v${version}\n${'console.log("hello");\n'.repeat(30)}`,
    'img/logo.svg': `<svg xmlns="http://www.w3.org/2000/svg">${'<rect width="1" height="1"/>'.repeat(20)}</svg>`,
  };
}

/** Builds the set for `files` in memory, from a temporary source directory. */
export async function setOf(
  t: TestContext,
  files: Record<string, string | Buffer>,
): Promise<StaticSet> {
  return buildSet(await writeTree(await tempDir(t), files));
}

/** Every file under root (recursively) by relative path, dotfiles included. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Path → sha256 and mtime of every file under root, and of root itself. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const result: Record<string, string> = { '.': String((await stat(root)).mtimeMs) };
  for (const path of await listFiles(root)) {
    const bytes = await readFile(join(root, path));
    const { mtimeMs } = await stat(join(root, path));
    result[path] = `${createHash('sha256').update(bytes).digest('hex')} ${mtimeMs}`;
  }
  return result;
}

/**
 * Asserts-friendly check that DIR's live manifest resolves: every hashed file
 * it names exists and holds bytes matching the hash in its name. Returns the
 * names that do not.
 */
export async function unresolvedNames(dir: string): Promise<string[]> {
  const manifest = await loadManifest(dir);
  const broken: string[] = [];
  for (const hashed of Object.values(manifest.files)) {
    const hash = /\.([0-9a-f]{8})(\.[^./]+)?$/.exec(hashed)?.[1];
    try {
      const bytes = await readFile(join(dir, hashed));
      if (createHash('sha256').update(bytes).digest('hex').slice(0, 8) !== hash)
        broken.push(hashed);
    } catch {
      broken.push(hashed);
    }
  }
  return broken;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI as a child process; `done` settles when it exits. */
export function startCli(args: string[], options: { uid?: number; gid?: number } = {}) {
  const env = { ...process.env };
  delete env.INIT_CWD;
  const child = spawn(process.execPath, [CLI, ...args], { env, ...options });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], options: { uid?: number; gid?: number } = {}) {
  return startCli(args, options).done;
}

/** Writes a set to a directory the CLI can take with `--from` (like the image's built set). */
export async function setDir(t: TestContext, set: StaticSet): Promise<string> {
  const dir = join(await tempDir(t), 'set');
  await collect(set, dir, { keep: 0 });
  return dir;
}
