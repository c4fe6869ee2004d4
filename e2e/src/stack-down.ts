import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from './paths.ts';

const run = promisify(execFile);

/**
 * `docker compose down -v` by project name alone: for a stack whose `up`
 * failed before testcontainers handed back a handle to it, and for stacks
 * that tests scaled or recreated. One second of grace, not the app's drain:
 * nothing is proved by the last stop, and eight stacks × 5 s add up.
 */
export async function composeDown(project: string, files: string[] = []): Promise<void> {
  await run(
    'docker',
    ['compose', ...fileArgs(files), '-p', project, 'down', '--volumes', '--timeout', '1'],
    {
      cwd: ROOT,
    },
  );
}

/** `-f a.yaml -f b.yaml`: none means compose's own default (compose.yaml). */
function fileArgs(files: string[]): string[] {
  return files.flatMap((file) => ['-f', file]);
}

/** Runs `docker compose` against a project, returning stdout. */
export function compose(project: string, ...args: string[]): Promise<string> {
  return composeWith(project, {}, [], ...args);
}

/**
 * `docker compose` with the files and variables the stack was started with:
 * compose interpolates the files again on every command, and a different
 * `HTTP_PORT` or setting would make it recreate containers.
 */
export async function composeWith(
  project: string,
  env: Record<string, string>,
  files: string[],
  ...args: string[]
): Promise<string> {
  const { stdout } = await run('docker', ['compose', ...fileArgs(files), '-p', project, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
