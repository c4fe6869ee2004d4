/**
 * Streams every container of a compose project (or a swarm stack) to `<dir>/<container>.log`
 * while the suite runs. testcontainers' `up()` removes the whole stack when a
 * wait fails, and `docker compose logs` has nothing to show after that, so
 * the logs must already be on disk by then. New containers (a scaled
 * service, a restarted one-shot) are picked up by polling.
 *
 * A follow stream ends when its container stops, and a stream opened on a
 * container that is only `created` ends at once with nothing; so a
 * container is followed while it runs, and followed again, from the last
 * line written, each time it starts again (docker restart, stop/start).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export interface LogFollower {
  /** Stops following and closes every file. */
  stop(): Promise<void>;
  /** The log file of a container, by its compose name (`app-1`). */
  file(name: string): string;
}

const POLL_MS = 500;

interface Followed {
  out: WriteStream;
  stream: NodeJS.ReadableStream | undefined;
  /** Docker's timestamp of the last line written, in nanoseconds. */
  lastNs: bigint;
}

/** `2026-11-27T07:40:01.123456789Z` → nanoseconds since the epoch. */
function nanos(timestamp: string): bigint {
  const match = /^(.{19})(?:\.(\d{1,9}))?Z$/.exec(timestamp);
  if (!match?.[1]) return -1n;
  const seconds = BigInt(Date.parse(`${match[1]}Z`) / 1000);
  return seconds * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** Which containers to follow (a label filter) and what to call each one's file. */
export interface LogScope {
  label: string;
  nameOf(info: Docker.ContainerInfo): string;
}

/** A compose project's containers, by compose name (`app-1`). */
export function composeScope(project: string): LogScope {
  return {
    label: `com.docker.compose.project=${project}`,
    nameOf(info) {
      const number = info.Labels['com.docker.compose.container-number'];
      const service = info.Labels['com.docker.compose.service'];
      // `compose run` containers have a number too, but share it with nothing
      // else only by their id.
      return info.Labels['com.docker.compose.oneoff'] === 'True'
        ? `${service}-run-${info.Id.slice(0, 8)}`
        : `${service}-${number}`;
    },
  };
}

/**
 * A swarm stack's task containers, by task (`<stack>_app.2.<task id>`): every
 * task is a new container, and Swarm deletes old ones (task history), so
 * they are followed while they exist.
 */
export function stackScope(stack: string): LogScope {
  return {
    label: `com.docker.stack.namespace=${stack}`,
    nameOf: (info) => info.Labels['com.docker.swarm.task.name'] ?? info.Id.slice(0, 12),
  };
}

export function followLogs(docker: Docker, scope: string | LogScope, dir: string): LogFollower {
  mkdirSync(dir, { recursive: true });
  const followed = new Map<string, Followed>();
  let stopped = false;
  const { label, nameOf } = typeof scope === 'string' ? composeScope(scope) : scope;

  /**
   * Writes each whole line, skipping those an earlier stream of the same
   * container already wrote (`since` has a resolution of one second).
   */
  function lineWriter(entry: Followed): PassThrough {
    const watermark = entry.lastNs;
    const input = new PassThrough();
    let partial = '';
    input.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const ns = nanos(line.slice(0, line.indexOf(' ')));
        if (ns !== -1n && ns <= watermark) continue;
        if (ns > entry.lastNs) entry.lastNs = ns;
        entry.out.write(`${line}\n`);
      }
    });
    input.on('end', () => {
      if (partial) entry.out.write(`${partial}\n`);
    });
    return input;
  }

  async function attach(info: Docker.ContainerInfo, entry: Followed): Promise<void> {
    const running = info.State === 'running';
    const options = {
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(entry.lastNs > 0n ? { since: Number(entry.lastNs / 1_000_000_000n) } : {}),
    } as const;
    const container = docker.getContainer(info.Id);
    const stream = running
      ? await container.logs({ ...options, follow: true })
      : // An exited container's whole log, once: it may have run and
        // finished between two polls (the one-shots do).
        ((await container.logs({ ...options, follow: false })) as unknown as Buffer);
    if (Buffer.isBuffer(stream)) {
      const out = new PassThrough();
      const err = new PassThrough();
      out.pipe(lineWriter(entry));
      err.pipe(lineWriter(entry));
      docker.modem.demuxStream(PassThrough.from([stream]), out, err);
      return;
    }
    entry.stream = stream;
    const out = lineWriter(entry);
    const err = lineWriter(entry);
    docker.modem.demuxStream(stream, out, err);
    stream.on('end', () => {
      out.end();
      err.end();
      entry.stream = undefined;
    });
  }

  async function poll(): Promise<void> {
    const containers = await docker.listContainers({
      all: true,
      filters: { label: [label] },
    });
    for (const info of containers) {
      if (stopped) return;
      // A container id, not a name: a restarted container keeps its id and
      // its file; a recreated one gets a new id (and appends to the same name).
      let entry = followed.get(info.Id);
      if (entry?.stream) continue;
      if (info.State !== 'running' && info.State !== 'exited') continue;
      if (entry && info.State === 'exited') continue;
      if (!entry) {
        entry = {
          out: createWriteStream(join(dir, `${nameOf(info)}.log`), { flags: 'a' }),
          stream: undefined,
          lastNs: 0n,
        };
        followed.set(info.Id, entry);
      }
      await attach(info, entry).catch(() => {});
    }
  }

  let polling = poll().catch(() => {});
  const timer = setInterval(() => {
    polling = polling.then(poll).catch(() => {});
  }, POLL_MS);

  return {
    file: (name) => join(dir, `${name}.log`),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await polling;
      for (const entry of followed.values()) {
        (entry.stream as unknown as { destroy?(): void } | undefined)?.destroy?.();
      }
      await Promise.all(
        [...followed.values()].map((entry) => new Promise<void>((done) => entry.out.end(done))),
      );
    },
  };
}
