/**
 * The swarm suite's side of Docker Swarm: a single-node swarm borrowed or
 * created for the run, the `scripts/swarm/` commands run as a user runs
 * them (and their readers of tasks and images reused), dockerode for what
 * the suite does itself (init and leave, scale, exec).
 *
 * The engine is left as found. A swarm created here is left again, and the
 * `docker_gwbridge` network that `swarm leave` keeps is removed; a swarm that
 * was already there is only borrowed. A created swarm carries a node label,
 * so a run that died before leaving is recognised and cleaned by the next.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort as sharedFreePort } from '@stack/shared/testing';
import type Docker from 'dockerode';
import { tasks } from '../../scripts/swarm/swarm.ts';
import { sleep } from './containers.ts';
import { ROOT } from './paths.ts';
import { docker } from './stack.ts';

const run = promisify(execFile);

const OWNER_LABEL = 'ts-deploy-stack.e2e-swarm';
/** Every stack the suite deploys is named `e2e-swarm-<hex>`. */
export const STACK_PREFIX = 'e2e-swarm-';

/**
 * Every suite's stack watches each new task 5 s after it turns healthy, not
 * the overlay's 15 s (app) and 10 s (edge): a release that cannot start never
 * turns healthy, so the steps prove the same and each roll is ~30 s shorter.
 */
export const TEST_UPDATE_MONITORS = { APP_UPDATE_MONITOR: '5s', EDGE_UPDATE_MONITOR: '5s' };
const GWBRIDGE = 'docker_gwbridge';

export interface SwarmLease {
  /** True when this run (or a crashed earlier one) created the swarm. */
  created: boolean;
  /** Leaves a swarm this suite created, with its gateway bridge. */
  release(): Promise<void>;
}

async function networkExists(name: string): Promise<boolean> {
  const found = await docker.listNetworks({ filters: { name: [name] } });
  return found.some((network) => network.Name === name);
}

async function selfNode(): Promise<Docker.Node> {
  const info = (await docker.info()) as { Swarm: { NodeID: string } };
  return docker.getNode(info.Swarm.NodeID);
}

/** The label of the two-node suite's worker containers and network (swarm-nodes.ts). */
export const NODE_LABEL = 'ts-deploy-stack.e2e-swarm-node';

/**
 * Leaves this engine's swarm, with what the suites leave behind: the stacks'
 * volumes (a run killed before its teardown left them; leaving the swarm
 * removed their containers), `docker_gwbridge` when the swarm made it, and
 * the two-node suite's worker containers and network.
 */
async function leaveOurSwarm(gwbridgeWasOurs: boolean): Promise<void> {
  await docker.swarmLeave({ force: true });
  const { Volumes } = await docker.listVolumes({
    filters: { label: ['com.docker.stack.namespace'] },
  });
  for (const volume of Volumes ?? []) {
    if (volume.Labels?.['com.docker.stack.namespace']?.startsWith(STACK_PREFIX)) {
      // Best effort: one still held by a container on its way out stays,
      // and the next run tries again.
      await docker
        .getVolume(volume.Name)
        .remove()
        .catch(() => undefined);
    }
  }
  if (gwbridgeWasOurs && (await networkExists(GWBRIDGE))) {
    await docker.getNetwork(GWBRIDGE).remove();
  }
  await removeWorkerNodes();
}

/** The two-node suite's worker containers (with their volumes) and network. */
export async function removeWorkerNodes(): Promise<void> {
  const filters = { label: [`${NODE_LABEL}=true`] };
  for (const { Id } of await docker.listContainers({ all: true, filters })) {
    // Leaving the swarm may already be removing it (409), or have removed it (404).
    await docker
      .getContainer(Id)
      .remove({ force: true, v: true })
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
      });
  }
  for (const { Id } of await docker.listNetworks({ filters })) {
    await docker.getNetwork(Id).remove();
  }
}

/**
 * Leaves the swarm a killed run of either suite created (its node carries the
 * suite's label), whatever its nodes, with what it left behind; any other
 * swarm stays.
 */
export async function leaveEarlierRunsSwarm(): Promise<void> {
  const info = (await docker.info()) as {
    Swarm: { LocalNodeState: string; ControlAvailable: boolean };
  };
  if (info.Swarm.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) return;
  const { Spec } = (await (await selfNode()).inspect()) as {
    Spec: { Labels?: Record<string, string> };
  };
  if (Spec.Labels?.[OWNER_LABEL] === 'true') await leaveOurSwarm(true);
}

/**
 * A swarm for the run: created here (and left by `release`), or borrowed
 * when the engine is a manager of someone else's single-node swarm. A swarm
 * a killed run created (its node carries the suite's label) is left first,
 * whatever its nodes, and a new one created.
 * `address`: where a created swarm listens and is advertised; loopback (the
 * default) lets no other node join, which the single-node suite wants.
 */
export async function leaseSwarm(address = '127.0.0.1'): Promise<SwarmLease> {
  await leaveEarlierRunsSwarm();
  const info = (await docker.info()) as {
    Swarm: { LocalNodeState: string; ControlAvailable: boolean };
  };
  const state = info.Swarm.LocalNodeState;
  if (state === 'active') {
    if (!info.Swarm.ControlAvailable) {
      throw new Error('this engine is a swarm worker: run the suite on a manager');
    }
    // Borrowed: the suite deploys images built here (--resolve-image never),
    // which another node would not have.
    const nodes = await docker.listNodes();
    if (nodes.length > 1) {
      throw new Error(`this swarm has ${nodes.length} nodes; the suite needs a single-node swarm`);
    }
    return { created: false, release: async () => undefined };
  }
  if (state !== 'inactive') {
    throw new Error(`the engine's swarm state is "${state}"; expected inactive or active`);
  }
  // A gateway bridge with no swarm is someone else's leftover: keep it.
  const gwbridgeWasOurs = !(await networkExists(GWBRIDGE));
  await docker.swarmInit({ ListenAddr: `${address}:2377`, AdvertiseAddr: address });
  try {
    const node = await selfNode();
    await updateSpec(node, (spec: { Labels?: Record<string, string> }) => ({
      ...spec,
      Labels: { ...spec.Labels, [OWNER_LABEL]: 'true' },
    }));
  } catch (error) {
    await docker.swarmLeave({ force: true });
    throw error;
  }
  return { created: true, release: () => leaveOurSwarm(gwbridgeWasOurs) };
}

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs `node scripts/swarm/<name>.ts ...args` with `env` added; never throws on exit codes. */
export function swarmScript(
  name: 'deploy' | 'roll' | 'remove' | 'render',
  args: string[],
  env: Record<string, string>,
): Promise<ScriptRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'scripts/swarm', `${name}.ts`), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout, stderr, seconds: (performance.now() - started) / 1000 }),
    );
  });
}

/** The tasks of a service that are running now (for the app: healthy, as Swarm waits for that). */
export async function runningTasks(service: string): Promise<number> {
  return (await tasks(service)).filter((t) => t.desiredState === 'running' && t.state === 'running')
    .length;
}

/** Tasks starting or running, whatever their desired state: those still shutting down count. */
export async function liveTasks(service: string): Promise<number> {
  return (await tasks(service)).filter((t) => ['starting', 'running'].includes(t.state)).length;
}

/** `docker service scale`, through the API: the spec with a new replica count. */
export async function scaleService(name: string, replicas: number): Promise<void> {
  await updateSpec(docker.getService(name), (spec: Record<string, unknown>) => ({
    ...spec,
    Mode: { Replicated: { Replicas: replicas } },
  }));
}

/**
 * Swarm's read-modify-write of an object's spec: the update names the version
 * it read, and is refused ("update out of sequence") when Swarm changed the
 * object in between, as it does to a node just after `swarm init`. Read and
 * write again then.
 */
export async function updateSpec<S>(
  object: { inspect(): Promise<unknown>; update(options: object): Promise<unknown> },
  change: (spec: S) => S,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { Version, Spec } = (await object.inspect()) as { Version: { Index: number }; Spec: S };
    try {
      await object.update({ version: Version.Index, ...change(Spec) });
      return;
    } catch (error) {
      if (attempt >= 5 || !/out of sequence/i.test(String(error))) throw error;
      await sleep(200);
    }
  }
}

/** A running container of a swarm service (the task's container on this node). */
export async function serviceContainer(service: string): Promise<Docker.Container> {
  const [found] = await docker.listContainers({
    filters: { label: [`com.docker.swarm.service.name=${service}`], status: ['running'] },
  });
  if (!found) throw new Error(`no running container of ${service}`);
  return docker.getContainer(found.Id);
}

/** `docker build` of a fixture image (the CLI: BuildKit, and the local base image). */
export async function buildImage(dockerfile: string, tag: string, context: string): Promise<void> {
  await run('docker', ['build', '--quiet', '-f', dockerfile, '-t', tag, context], { cwd: ROOT });
}

/** A port free on every interface: the swarm publishes on all of them. */
export const freePort = (): Promise<number> => sharedFreePort(null);
