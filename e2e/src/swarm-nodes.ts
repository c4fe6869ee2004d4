/**
 * A two-node swarm on one machine: this engine as the manager, and a second
 * Docker engine in a privileged container (e2e/swarm/fixtures/swarm-node.Dockerfile)
 * joined as a worker over the default bridge. The overlay networks, the
 * per-node global services and jobs, and the host-mode ports then behave as
 * on two machines; images reach the worker by `docker save | docker load`,
 * as they would from a registry.
 *
 * It needs an engine that is not in a swarm (a swarm left by a killed run of
 * either swarm suite is recognised by its label and left first). Released:
 * the worker container and its volume removed, the swarm left, the engine as
 * found.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Docker from 'dockerode';
import { sleep } from './containers.ts';
import { ROOT } from './paths.ts';
import { docker } from './stack.ts';
import { buildImage, leaseSwarm, type SwarmLease } from './swarm.ts';

const NODE_IMAGE = 'ts-deploy-stack/e2e-swarm-node:local';
const NODE_LABEL = 'ts-deploy-stack.e2e-swarm-node';
const FIXTURES = join(ROOT, 'e2e/swarm/fixtures');

export interface TwoNodes {
  /** The manager's address on the bridge: its edge listens there too. */
  managerAddress: string;
  /** The worker container's address: its edge's host-mode port is there. */
  workerAddress: string;
  /** The worker engine's API. */
  worker: Docker;
  /** Copies images from this engine to the worker (no registry here). */
  loadImages(tags: readonly string[]): Promise<void>;
  release(): Promise<void>;
}

/** Worker containers of runs that were killed before their teardown. */
async function removeStaleWorkers(): Promise<void> {
  const stale = await docker.listContainers({
    all: true,
    filters: { label: [`${NODE_LABEL}=true`] },
  });
  for (const { Id } of stale) await docker.getContainer(Id).remove({ force: true, v: true });
}

async function bridgeGateway(): Promise<string> {
  const bridge = (await docker.getNetwork('bridge').inspect()) as {
    IPAM: { Config?: Array<{ Gateway?: string }> };
  };
  const gateway = bridge.IPAM.Config?.find((c) => c.Gateway)?.Gateway;
  if (!gateway) throw new Error('the default bridge network has no gateway address');
  return gateway;
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(250);
  }
}

export async function leaseTwoNodes(): Promise<TwoNodes> {
  await removeStaleWorkers();
  const info = (await docker.info()) as { Swarm: { LocalNodeState: string } };
  if (info.Swarm.LocalNodeState !== 'inactive') {
    // Leaves it only when a killed run of a swarm suite created it.
    const earlier = await leaseSwarm();
    if (!earlier.created) {
      throw new Error(
        'this engine is in a swarm: the two-node suite joins a worker to a swarm of its own, so run it on an engine that is not in one',
      );
    }
    await earlier.release();
  }
  const managerAddress = await bridgeGateway();
  await buildImage(join(FIXTURES, 'swarm-node.Dockerfile'), NODE_IMAGE, FIXTURES);
  const lease: SwarmLease = await leaseSwarm(managerAddress);
  let container: Docker.Container | undefined;
  const release = async () => {
    await container?.remove({ force: true, v: true });
    await lease.release();
    // Built again from the build cache in a second; the engine as found.
    await docker
      .getImage(NODE_IMAGE)
      .remove()
      .catch(() => undefined);
  };
  try {
    container = await docker.createContainer({
      Image: NODE_IMAGE,
      name: `e2e-swarm-node-${randomBytes(3).toString('hex')}`,
      Labels: { [NODE_LABEL]: 'true' },
      HostConfig: { Privileged: true, NetworkMode: 'bridge' },
    });
    await container.start();
    const { NetworkSettings } = await container.inspect();
    const workerAddress = NetworkSettings.Networks.bridge?.IPAddress ?? '';
    const worker = new Docker({ host: workerAddress, port: 2375 });
    await until('the worker engine to answer', 60_000, async () => (await worker.ping()) && true);
    const { JoinTokens } = (await docker.swarmInspect()) as { JoinTokens: { Worker: string } };
    await worker.swarmJoin({
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: workerAddress,
      RemoteAddrs: [`${managerAddress}:2377`],
      JoinToken: JoinTokens.Worker,
    });
    await until('two ready nodes', 60_000, async () => {
      const nodes = (await docker.listNodes()) as Array<{ Status: { State: string } }>;
      return nodes.length === 2 && nodes.every((n) => n.Status.State === 'ready')
        ? true
        : undefined;
    });
    return {
      managerAddress,
      workerAddress,
      worker,
      async loadImages(tags) {
        for (const tag of tags) {
          const tar = await docker.getImage(tag).get();
          const progress = await worker.loadImage(tar, { quiet: true });
          await new Promise<void>((resolve, reject) => {
            worker.modem.followProgress(progress, (error: Error | null) =>
              error ? reject(error) : resolve(),
            );
          });
        }
      },
      release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}
