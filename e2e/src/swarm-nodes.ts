/**
 * A two-node swarm on one machine: this engine as the manager, and a second
 * Docker engine in a privileged container (e2e/swarm/fixtures/swarm-node.Dockerfile)
 * joined as a worker over a bridge network of their own. The overlay
 * networks, the per-node global services and jobs, and the host-mode ports
 * then behave as on two machines; images reach the worker by
 * `docker save | docker load`, as they would from a registry.
 *
 * It needs an engine that is not in a swarm (a swarm, a worker and a network
 * left by a killed run of either swarm suite carry labels and are removed
 * first). Released: the worker container and its volume, the swarm, the
 * network and the worker image; the engine as found.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Docker from 'dockerode';
import { waitFor } from '../../scripts/swarm/swarm.ts';
import { ROOT } from './paths.ts';
import { docker } from './stack.ts';
import {
  buildImage,
  leaseSwarm,
  leaveEarlierRunsSwarm,
  NODE_LABEL,
  removeWorkerNodes,
} from './swarm.ts';

const NODE_IMAGE = 'ts-deploy-stack/e2e-swarm-node:local';
const FIXTURES = join(ROOT, 'e2e/swarm/fixtures');

export interface TwoNodes {
  /** The manager's address on the nodes' network. */
  managerAddress: string;
  /** The worker container's address: its edge's host-mode port is there. */
  workerAddress: string;
  /** The worker engine's API. */
  worker: Docker;
  /** The worker's swarm node ID. */
  workerNodeId: string;
  /** Copies images from this engine to the worker (no registry here). */
  loadImages(tags: readonly string[]): Promise<void>;
  release(): Promise<void>;
}

/** Runs every clean-up step even when one fails, then throws what failed. */
async function cleanUp(steps: Array<() => Promise<unknown>>): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) await step().catch((error: unknown) => errors.push(error));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'the two-node clean-up failed');
}

/** Ignores a 404 from the engine (the object is gone already), rethrows the rest. */
function unlessMissing(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode !== 404) throw error;
}

/** `docker load` answers 200 and reports a failure inside its output: read it. */
async function loadInto(worker: Docker, tags: readonly string[]): Promise<void> {
  // One archive: the releases share their layers. (`getImages` is missing
  // from dockerode's types.)
  const exporter = docker as unknown as {
    getImages(options: { names: readonly string[] }): Promise<NodeJS.ReadableStream>;
  };
  const tar = await exporter.getImages({ names: tags });
  const progress = await worker.loadImage(tar);
  const output = await new Promise<Array<{ error?: string }>>((resolve, reject) => {
    tar.on('error', reject);
    worker.modem.followProgress(
      progress,
      (error: Error | null, events: Array<{ error?: string }>) =>
        error ? reject(error) : resolve(events),
    );
  });
  const failed = output.find((event) => event.error);
  if (failed) throw new Error(`docker load on the worker: ${failed.error}`);
  for (const tag of tags) await worker.getImage(tag).inspect();
}

export async function leaseTwoNodes(): Promise<TwoNodes> {
  await leaveEarlierRunsSwarm();
  const info = (await docker.info()) as { Swarm: { LocalNodeState: string } };
  if (info.Swarm.LocalNodeState !== 'inactive') {
    throw new Error(
      'this engine is in a swarm: the two-node suite joins a worker to a swarm of its own, so run it on an engine that is not in one',
    );
  }
  // A worker or network a killed run left with no swarm.
  await removeWorkerNodes();
  await buildImage(join(FIXTURES, 'swarm-node.Dockerfile'), NODE_IMAGE, FIXTURES);
  const name = `e2e-swarm-nodes-${randomBytes(3).toString('hex')}`;
  // Alone on its own bridge, with no traffic between containers: only this
  // host reaches the worker's unauthenticated API.
  const network = await docker.createNetwork({
    Name: name,
    Driver: 'bridge',
    Labels: { [NODE_LABEL]: 'true' },
    Options: { 'com.docker.network.bridge.enable_icc': 'false' },
  });
  const { IPAM } = (await network.inspect()) as { IPAM: { Config?: Array<{ Gateway?: string }> } };
  const managerAddress = IPAM.Config?.find((c) => c.Gateway)?.Gateway ?? '';
  let container: Docker.Container | undefined;
  let lease: Awaited<ReturnType<typeof leaseSwarm>> | undefined;
  const release = () =>
    cleanUp([
      async () => container?.remove({ force: true, v: true }),
      async () => lease?.release(),
      // Usually gone already: leaving the suite's swarm removes it.
      () => network.remove().catch(unlessMissing),
      // Built again from the build cache in a second.
      () => docker.getImage(NODE_IMAGE).remove(),
    ]);
  try {
    if (!managerAddress) throw new Error(`network ${name} has no gateway address`);
    lease = await leaseSwarm(managerAddress);
    if (!lease.created) throw new Error('the two-node suite needs a swarm of its own');
    container = await docker.createContainer({
      Image: NODE_IMAGE,
      name,
      Labels: { [NODE_LABEL]: 'true' },
      HostConfig: { Privileged: true, NetworkMode: name },
    });
    await container.start();
    const started = container;
    const { NetworkSettings } = await started.inspect();
    const workerAddress = NetworkSettings.Networks[name]?.IPAddress ?? '';
    if (!workerAddress) throw new Error(`the worker container has no address on ${name}`);
    const worker = new Docker({ host: workerAddress, port: 2375 });
    await waitFor('the worker engine to answer', 60_000, async () => {
      const { State } = await started.inspect();
      if (!State.Running) {
        const log = (await started.logs({ stdout: true, stderr: true, tail: 20 })).toString();
        throw new Error(`the worker container stopped (exit ${State.ExitCode}): ${log}`);
      }
      // Refused until dockerd listens.
      return (await worker.ping().catch(() => undefined)) ? true : undefined;
    });
    const { JoinTokens } = (await docker.swarmInspect()) as { JoinTokens: { Worker: string } };
    await worker.swarmJoin({
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: workerAddress,
      RemoteAddrs: [`${managerAddress}:2377`],
      JoinToken: JoinTokens.Worker,
    });
    await waitFor('two ready nodes', 60_000, async () => {
      const nodes = (await docker.listNodes()) as Array<{ Status: { State: string } }>;
      return nodes.length === 2 && nodes.every((n) => n.Status.State === 'ready')
        ? true
        : undefined;
    });
    const { Swarm } = (await worker.info()) as { Swarm: { NodeID: string } };
    return {
      managerAddress,
      workerAddress,
      worker,
      workerNodeId: Swarm.NodeID,
      loadImages: (tags) => loadInto(worker, tags),
      release,
    };
  } catch (error) {
    // The first failure is the one to read; a failing clean-up is added to it.
    await release().catch((cleanup: unknown) => {
      throw new AggregateError([error, cleanup], String(error));
    });
    throw error;
  }
}
