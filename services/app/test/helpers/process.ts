import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const APP_DIR = fileURLToPath(new URL('../../', import.meta.url));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** PATH, and Node's compile cache when the run has one (`npm test` sets it). */
function inherited(): Record<string, string> {
  const { PATH = '', NODE_COMPILE_CACHE } = process.env;
  return NODE_COMPILE_CACHE ? { PATH, NODE_COMPILE_CACHE } : { PATH };
}

/**
 * Starts `src/<script>` as its own Node process, as the container does, with
 * only `env` (plus PATH and the compile cache) in its environment so the test's own settings
 * cannot leak in. `APP_ENV=development` unless `env` says otherwise: a
 * checkout has no image-built static set, so main builds one at start.
 */
export function startScript(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [`src/${script}`], {
    cwd: APP_DIR,
    env: { ...inherited(), APP_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a started process's output until it exits. */
export async function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

export function runScript(script: string, env: Record<string, string>): Promise<Finished> {
  return finished(startScript(script, env));
}
