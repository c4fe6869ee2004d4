/**
 * dockerode helpers for faults and probes: run a command inside a container,
 * run a one-off container of an image, wait for a container's healthcheck.
 */
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
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

/**
 * Runs `cmd` in a new container of `image` (a TTY: stdout and stderr as one
 * text) until it exits, removes the container, and returns its exit code and
 * everything it printed: the output stream ends after the exit is reported,
 * so it is awaited too.
 */
export async function runOnce(
  docker: Docker,
  image: string,
  cmd: string[],
  hostConfig: Docker.HostConfig,
): Promise<{ code: number; text: string }> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const [result, container] = (await docker.run(image, cmd, output, {
    Tty: true,
    HostConfig: hostConfig,
  })) as [{ StatusCode: number }, Docker.Container];
  try {
    await finished(output);
  } finally {
    await container.remove({ force: true });
  }
  return {
    code: result.StatusCode,
    text: Buffer.concat(chunks).toString().replaceAll('\r\n', '\n').trim(),
  };
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

/**
 * `docker pause`, tried again when the kernel could not freeze the cgroup at
 * once ("OCI runtime pause failed: unable to freeze"): runc gives up while a
 * task in it is mid-fork or in an uninterruptible wait, which a loaded CI
 * machine makes likely (measured: one of CI's runs).
 */
export async function pause(container: Docker.Container, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await container.pause();
      return;
    } catch (error) {
      const frozen = /unable to freeze/.test(String((error as Error).message));
      if (!frozen || attempt >= attempts) throw error;
      await sleep(200 * attempt);
    }
  }
}

/** `docker unpause`, for a `finally`: a container that is not paused is fine. */
export async function unpause(container: Docker.Container): Promise<void> {
  try {
    await container.unpause();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 409) throw error;
  }
}
