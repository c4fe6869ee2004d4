/**
 * The docker CLI as the swarm scripts call it: arguments as an array (no
 * shell), stdout back as a string, and a failure turned into an error whose
 * message is one line (the command and the CLI's last stderr line), so every
 * script can end with `fail(message)` instead of a stack trace.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class DockerError extends Error {
  override name = 'DockerError';
}

export async function docker(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('docker', args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    const last = (stderr ?? message)
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1);
    throw new DockerError(`docker ${args.slice(0, 2).join(' ')}: ${last ?? 'failed'}`);
  }
}

/** Runs a script's main, printing any failure as one line and exiting 1. */
export function runMain(script: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`${script}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
