/**
 * The stack on a two-node swarm (this engine as the manager, a second engine
 * in a container as the worker: src/swarm-nodes.ts), deployed and rolled by
 * the same scripts as on one node. What one node cannot show: an edge and a
 * collectstatic run on every node (each node's own static volume), replicas
 * on both nodes reaching one database over the overlay, a rolling update
 * through both nodes' edges, and a node drained for maintenance, all under
 * load with no failed request. The edges get their certificates over ACME
 * from pebble (fixtures/acme.swarm.yaml), as compose.swarm.yaml sets it up
 * for production: one order per node, the CA reaching one node only.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { jobIteration, tasks } from '../../scripts/swarm/swarm.ts';
import { type AcmeDir, leafFor, makeAcmeDir, pebbleRootAt } from '../src/acme.ts';
import { sleep } from '../src/containers.ts';
import { CREATE, createBody, JSON_HEADERS, listPath } from '../src/domain.ts';
import { eventually } from '../src/http.ts';
import { followLogs, type LogFollower, stackScope } from '../src/logs.ts';
import { ARTIFACTS, ROOT } from '../src/paths.ts';
import { docker } from '../src/stack.ts';
import {
  buildImage,
  freePort,
  runningTasks,
  type ScriptRun,
  STACK_PREFIX,
  swarmScript,
  TEST_UPDATE_MONITORS,
  updateSpec,
} from '../src/swarm.ts';
import { leaseTwoNodes, type TwoNodes } from '../src/swarm-nodes.ts';
import {
  assertAssetsLoad,
  assertNoFailures,
  page,
  printScript,
  printTaskHistory,
  tearDownSuite,
  underLoad,
  versions,
} from '../src/swarm-steps.ts';

const V1 = 'ts-deploy-stack/app:local';
const V2 = 'ts-deploy-stack/app:e2e-v2';
const EDGE = 'ts-deploy-stack/edge:local';
const FIXTURES = join(ROOT, 'e2e/swarm/fixtures');
const PEBBLE = 'e2e-pebble:local';
const ACME_NAME = 'a.edge.test';

const stack = `${STACK_PREFIX}${randomBytes(3).toString('hex')}`;
const artifacts = join(ARTIFACTS, stack);
const env: Record<string, string> = {
  SWARM_STACK: stack,
  SWARM_STACK_FILE: join(artifacts, 'stack.yaml'),
  SWARM_TIMEOUT_MS: '240000',
  ...TEST_UPDATE_MONITORS,
  ALLOW_DEV_SECRETS: 'true',
};
let nodes: TwoNodes | undefined;
let acme: AcmeDir | undefined;
/** Each node's edge (host-mode port): the manager's, then the worker's. */
let edges: string[] = [];
let failed = false;
const logs: LogFollower[] = [];

/** The nodes of the service's running tasks, or of a job's completed current run. */
async function nodesOf(service: string, kind: 'service' | 'job' = 'service'): Promise<Set<string>> {
  const run = kind === 'job' ? await jobIteration(service) : undefined;
  const current = (await tasks(service)).filter((t) =>
    run === undefined ? t.state === 'running' : t.iteration === run && t.state === 'complete',
  );
  return new Set(current.map((t) => t.node));
}

function assertOk(name: string, run: ScriptRun | undefined): asserts run is ScriptRun {
  assert.ok(run);
  printScript(name, run);
  assert.equal(run.code, 0, run.stderr);
}

describe('the stack on a two-node swarm', { timeout: 20 * 60_000 }, () => {
  before(async () => {
    // Cached by the `images` phase of `npm test`; this suite also runs alone.
    await buildImage('docker/app.Dockerfile', V1, '.');
    await buildImage('docker/edge.Dockerfile', EDGE, '.');
    await buildImage(join(FIXTURES, 'app-v2.Dockerfile'), V2, FIXTURES);
    await buildImage(join(ROOT, 'e2e/acme/pebble.Dockerfile'), PEBBLE, join(ROOT, 'e2e/acme'));
    const started = performance.now();
    nodes = await leaseTwoNodes();
    // The database is pinned to the manager: the worker needs the app and the edge.
    await nodes.loadImages([V1, EDGE, V2]);
    console.log(
      `# two nodes: manager ${nodes.managerAddress}, worker ${nodes.workerAddress}, images loaded, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    logs.push(followLogs(docker, stackScope(stack), join(artifacts, 'manager')));
    logs.push(followLogs(nodes.worker, stackScope(stack), join(artifacts, 'worker')));
    const port = await freePort();
    env.HTTP_PORT = String(port);
    // The edge publishes HTTPS in host mode too: not on 8443, which may be taken.
    env.HTTPS_PORT = String(await freePort());
    edges = [`http://127.0.0.1:${port}`, `http://${nodes.workerAddress}:${port}`];
    // Pebble validates HTTP-01 on the manager's host-mode port, and every
    // name resolves to the manager (acme.swarm.yaml).
    acme = makeAcmeDir(3600, port);
    Object.assign(env, {
      SWARM_COMPOSE_FILES: join(FIXTURES, 'acme.swarm.yaml'),
      ACME_TEST_DIR: acme.dir,
      ACME_NODE_ADDRESS: nodes.managerAddress,
      PEBBLE_MANAGEMENT_PORT: String(await freePort()),
      PEBBLE_IMAGE: PEBBLE,
    });
    const deploy = await swarmScript('deploy', [], env);
    assertOk('deploy', deploy);
  });

  afterEach(async (t) => {
    if ('passed' in t && !t.passed) {
      failed = true;
      // Tasks of both nodes are listed by the manager; logs are per node.
      await printTaskHistory(`${stack}_edge`, join(artifacts, 'manager'));
      await printTaskHistory(`${stack}_edge`, join(artifacts, 'worker'));
    }
  });

  after(async () => {
    await tearDownSuite({
      env,
      leased: nodes !== undefined,
      stopLogs: () => Promise.all(logs.map((follower) => follower.stop())),
      // The worker's volumes go with its container.
      release: async () => nodes?.release(),
      failed,
      artifacts,
      tags: [V2],
    });
    if (acme) await rm(acme.dir, { recursive: true, force: true });
  });

  test('an edge and a collectstatic run on each node, the replicas on both, one database', async () => {
    assert.equal((await nodesOf(`${stack}_edge`)).size, 2, 'an edge on each node');
    assert.equal(
      (await nodesOf(`${stack}_collectstatic`, 'job')).size,
      2,
      'collectstatic on each node',
    );
    assert.equal((await nodesOf(`${stack}_app`)).size, 2, 'replicas on both nodes');
    for (const edge of edges) {
      // Each node's edge serves the assets from that node's own volume.
      await assertAssetsLoad(edge, (await page(edge)).assets);
    }
    // Posted through the worker's edge, round-robin over the three replicas
    // (one or two of them on the worker): all listed through the manager's.
    const [managerEdge = '', workerEdge = ''] = edges;
    const run = randomBytes(4).toString('hex');
    for (let i = 0; i < 6; i += 1) {
      const created = await fetch(`${workerEdge}${CREATE.path}`, {
        method: CREATE.method,
        headers: JSON_HEADERS,
        body: createBody('Two nodes', `${run} ${i}`),
      });
      assert.equal(created.status, CREATE.status);
      await created.arrayBuffer();
    }
    const listed = await (await fetch(`${managerEdge}${listPath({ limit: 10 })}`)).text();
    for (let i = 0; i < 6; i += 1) {
      assert.ok(listed.includes(`${run} ${i}`), `the manager's edge lists record ${i}`);
    }
  });

  test("each node's edge orders its own certificate; the manager's answers the CA for the worker's too", async () => {
    assert.ok(nodes && acme);
    const pebbleAcme = acme;
    const hosts = ['127.0.0.1', nodes.workerAddress];
    const httpsPort = Number(env.HTTPS_PORT);
    // Ordered at start: pebble's root (new each time pebble starts), then both leaves.
    const leaves = await eventually(
      async () => {
        const root = await pebbleRootAt(Number(env.PEBBLE_MANAGEMENT_PORT), pebbleAcme);
        return Promise.all(hosts.map((host) => leafFor(httpsPort, ACME_NAME, root, host)));
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    for (const leaf of leaves) assert.match(leaf.names, new RegExp(`DNS:${ACME_NAME}`));
    assert.notEqual(leaves[0]?.serial, leaves[1]?.serial, 'each node ordered its own');
    // The CA reaches the manager alone: a challenge the worker's edge
    // answered came from its peer, the manager's edge, asking for its token.
    const [workerEdge] = await nodes.worker.listContainers({
      filters: { label: [`com.docker.swarm.service.name=${stack}_edge`] },
    });
    assert.ok(workerEdge, "the worker's edge container");
    const log = (
      await nodes.worker.getContainer(workerEdge.Id).logs({ stdout: true, stderr: true })
    ).toString();
    assert.match(
      log,
      /"path":"\/\.well-known\/acme-challenge\/[^"]+","status":200/,
      "the worker's edge answered its peer for its token",
    );
  });

  test("a rolling update through both nodes' edges fails no request; each edge serves the new assets", async () => {
    const before = await page(edges[0] ?? '');
    const collected = await jobIteration(`${stack}_collectstatic`);
    let roll: ScriptRun | undefined;
    const result = await underLoad('two nodes: rolling update v1 → v2', edges, async () => {
      roll = await swarmScript('roll', ['app', V2], env);
    });
    assertOk('roll app (two nodes)', roll);
    assertNoFailures(result);
    for (const edge of edges) {
      assert.deepEqual([...(await versions(edge)).versions], ['e2e-v2'], `${edge}: v2 serves`);
      await assertAssetsLoad(edge, before.assets, 'still loads for a page rendered before');
      const now = await page(edge);
      assert.notEqual(now.css, before.css, `${edge}: the new release names its new stylesheet`);
      await assertAssetsLoad(edge, [now.css], "is in this node's volume");
    }
    assert.ok(
      (await jobIteration(`${stack}_collectstatic`)) > collected,
      'collectstatic ran again',
    );
    assert.equal((await nodesOf(`${stack}_collectstatic`, 'job')).size, 2, 'on each node');
  });

  test("draining the worker moves its replicas to the manager: no failed request through the manager's edge", async () => {
    assert.ok(nodes);
    const worker = nodes.workerNodeId;
    const service = `${stack}_app`;
    assert.ok((await nodesOf(service)).has(worker), 'a replica to move: one runs on the worker');
    const result = await underLoad('two nodes: worker drained', edges.slice(0, 1), async () => {
      await updateSpec(docker.getNode(worker), (spec: Record<string, unknown>) => ({
        ...spec,
        Availability: 'drain',
      }));
      await eventually(
        async () => {
          const where = await nodesOf(service);
          assert.ok(!where.has(worker), 'no replica left on the worker');
          assert.equal(await runningTasks(service), 3);
        },
        { timeoutMs: 120_000 },
      );
      // The drained tasks have stopped; the edge re-resolves.
      await sleep(2000);
    });
    assertNoFailures(result);
    assert.equal((await versions(edges[0] ?? '')).instances.size, 3, 'three replicas serve');
  });
});
