/**
 * dockerode helpers for faults and probes: run a command inside a container,
 * wait for a container's healthcheck.
 */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd` in a running container (as its configured user unless `user` is given). */
export async function exec(
  container: Docker.Container,
  cmd: string[],
  options: { user?: string } = {},
): Promise<ExecResult> {
  const run = await container.exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    ...(options.user ? { User: options.user } : {}),
  });
  const stream = await run.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  container.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await run.inspect();
  return {
    exitCode: ExitCode ?? -1,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
  };
}

/** Runs a Node script inside a container of an image that has Node (app, edge). */
export function execNode(container: Docker.Container, script: string): Promise<ExecResult> {
  return exec(container, ['node', '--input-type=module', '-e', script]);
}

/** Resolves once the container's healthcheck says `healthy`. */
export async function waitHealthy(container: Docker.Container, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let status = 'unknown';
  while (Date.now() < deadline) {
    const info = await container.inspect();
    status = info.State.Health?.Status ?? info.State.Status;
    if (info.State.Running && status === 'healthy') return;
    await sleep(250);
  }
  throw new Error(
    `container ${container.id.slice(0, 12)} not healthy after ${timeoutMs} ms: ${status}`,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
