/**
 * The real compose stack for a test: `compose.yaml` exactly as users run it,
 * under a project name of its own (so runs never collide), on a random host
 * port, with every container's log streamed to the artifacts folder.
 *
 *   await using stack = await startStack('smoke');
 *   await fetch(stack.url(PAGE_PATH));
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Docker from 'dockerode';
import {
  DockerComposeEnvironment,
  type StartedDockerComposeEnvironment,
  Wait,
} from 'testcontainers';
import { followLogs, type LogFollower } from './logs.ts';
import { ARTIFACTS, ROOT } from './paths.ts';
import { composeDown, composeWith } from './stack-down.ts';

export interface StackOptions {
  /** Compose files, from the repository root; `compose.yaml` alone by default. */
  files?: string[];
  /** Extra compose variables (`APP_DRAIN_MS`, `EDGE_UPSTREAM_TIMEOUT_MS`, …). */
  env?: Record<string, string>;
}

export interface Stack extends AsyncDisposable {
  project: string;
  /** The edge's published address, e.g. `http://localhost:32768` (see `refreshOrigin`). */
  readonly origin: string;
  url(path: string): string;
  /**
   * Reads the edge's host port again: with `HTTP_PORT=0` the engine picks a
   * new one whenever the edge container starts again (restart, stop/start, up).
   */
  refreshOrigin(): Promise<string>;
  /** `docker compose -f … -p <project> …` with this stack's files and variables; stdout. */
  run(...args: string[]): Promise<string>;
  /** The project's containers, of one service when named, in replica order. */
  containers(service?: string): Promise<Docker.ContainerInfo[]>;
  /** One container by compose name (`edge`, `app` with n = 2, …). */
  container(service: string, n?: number): Promise<Docker.Container>;
  docker: Docker;
  compose: StartedDockerComposeEnvironment;
  logs: LogFollower;
  /** Where this stack's container logs are written. */
  artifacts: string;
  /** Seconds from `up` to every service healthy. */
  upSeconds: number;
  /** `down -v`: containers, networks and volumes, also after a failure. */
  down(): Promise<void>;
}

export const docker = new Docker();

const EDGE_PORT = '8080/tcp';

export async function startStack(name: string, options: StackOptions = {}): Promise<Stack> {
  // Compose project names allow [a-z0-9_-]; the suffix keeps parallel and
  // repeated runs apart.
  const project = `e2e-${name}-${randomBytes(3).toString('hex')}`;
  // HTTP_PORT=0, HTTPS_PORT=0: the engine picks free host ports (read back
  // below), so stacks started side by side never ask for the same one.
  const env = { HTTP_PORT: '0', HTTPS_PORT: '0', ...options.env };
  const files = options.files ?? ['compose.yaml'];
  const artifacts = join(ARTIFACTS, project);
  const logs = followLogs(docker, project, artifacts);
  const started = performance.now();
  let environment: StartedDockerComposeEnvironment;
  try {
    environment = await new DockerComposeEnvironment(ROOT, files)
      .withProjectName(project)
      .withEnvironment(env)
      // `--wait` makes compose itself wait for every healthcheck and for the
      // one-shots to complete; the images were built once before the suites.
      .withClientOptions({ commandOptions: ['--wait', '--wait-timeout', '120'] })
      .withDefaultWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(120_000)
      .up();
  } catch (error) {
    // testcontainers removes the stack when a wait strategy fails, but not
    // when `compose up` itself fails: make sure nothing is left either way.
    await composeDown(project, files).catch(() => {});
    await logs.stop();
    throw error;
  }
  const upSeconds = (performance.now() - started) / 1000;
  const edge = environment.getContainer('edge-1');
  const host = edge.getHost();
  let origin = `http://${host}:${edge.getMappedPort(8080)}`;

  const containers = async (service?: string) => {
    const label = [`com.docker.compose.project=${project}`];
    if (service) label.push(`com.docker.compose.service=${service}`);
    const found = await docker.listContainers({ all: true, filters: { label } });
    const number = (info: Docker.ContainerInfo) =>
      Number(info.Labels['com.docker.compose.container-number']);
    return found.sort((a, b) => number(a) - number(b));
  };

  const container = async (service: string, n = 1) => {
    const match = (await containers(service)).find(
      (info) => info.Labels['com.docker.compose.container-number'] === String(n),
    );
    if (!match) throw new Error(`${project} has no container ${service}-${n}`);
    return docker.getContainer(match.Id);
  };

  let downed = false;
  const down = async () => {
    if (downed) return;
    downed = true;
    try {
      // By project name rather than through testcontainers' handle: it also
      // removes what tests added (scaled replicas, a recreated stack).
      await composeDown(project, files);
    } finally {
      await logs.stop();
    }
  };

  return {
    project,
    get origin() {
      return origin;
    },
    url: (path) => new URL(path, origin).toString(),
    async refreshOrigin() {
      const info = await (await container('edge')).inspect();
      const port = info.NetworkSettings.Ports[EDGE_PORT]?.[0]?.HostPort;
      if (!port) throw new Error(`the edge of ${project} publishes no port`);
      origin = `http://${host}:${port}`;
      return origin;
    },
    run: (...args) => composeWith(project, env, files, ...args),
    containers,
    container,
    docker,
    compose: environment,
    logs,
    artifacts,
    upSeconds,
    down,
    [Symbol.asyncDispose]: down,
  };
}
