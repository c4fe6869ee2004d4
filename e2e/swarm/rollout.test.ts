/**
 * The stack on Docker Swarm, deployed and rolled by the scripts users run
 * (scripts/swarm/), under a steady load through the edge: 24 keep-alive
 * connections, a third of the requests POSTs, nothing retried by the client.
 * One stack for the whole file; the steps run in order and build on each
 * other (v1 → v2 → scaled → broken release refused by roll, then by deploy
 * → edge replaced).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { serviceImage } from '../../scripts/swarm/swarm.ts';
import { exec, sleep } from '../src/containers.ts';
import { CREATE, createBody, JSON_HEADERS, PAGE_PATH } from '../src/domain.ts';
import { h2Get } from '../src/h2.ts';
import { eventually, tryFetch } from '../src/http.ts';
import { followLogs, type LogFollower, stackScope } from '../src/logs.ts';
import { ARTIFACTS } from '../src/paths.ts';
import { docker } from '../src/stack.ts';
import {
  freePort,
  leaseSwarm,
  liveTasks,
  runningTasks,
  type ScriptRun,
  STACK_PREFIX,
  type SwarmLease,
  scaleService,
  serviceContainer,
  swarmScript,
  TEST_UPDATE_MONITORS,
} from '../src/swarm.ts';
import {
  assertAssetsLoad,
  assertNoFailures,
  page as pageAt,
  printScript,
  printTaskHistory,
  tearDownSuite,
  underLoad as underLoadAt,
  versions as versionsAt,
} from '../src/swarm-steps.ts';
import { assertUploadsKept, type UploadsResult, uploadsDuring } from '../src/uploads-during.ts';
import {
  appliedMigrations,
  assertV2StillServes,
  BROKEN,
  buildReleases,
  EDGE_V2,
  V2,
  V2_MIGRATION,
} from './releases.ts';

const EDGE_DRAIN_MS = 2000;

const stack = `${STACK_PREFIX}${randomBytes(3).toString('hex')}`;
const artifacts = join(ARTIFACTS, stack);
let origin = '';
let httpsPort = 0;
let lease: SwarmLease | undefined;
// Set before anything can fail: the teardown's remove must name this run's
// stack, never the scripts' default (a real deployment's name).
const env: Record<string, string> = {
  SWARM_STACK: stack,
  SWARM_STACK_FILE: join(artifacts, 'stack.yaml'),
  SWARM_TIMEOUT_MS: '240000',
  ...TEST_UPDATE_MONITORS,
  EDGE_DRAIN_MS: String(EDGE_DRAIN_MS),
  // A throwaway swarm: the committed development password is allowed
  // explicitly (the overlay refuses it by default; first test below).
  ALLOW_DEV_SECRETS: 'true',
};
let failed = false;
// `docker service logs` can hang on a task whose container is gone (measured):
// each task container's log is followed instead, as for compose stacks.
let logs: LogFollower | undefined;

const url = (path: string) => `${origin}${path}`;
// One node, one edge: every step goes through it.
const page = () => pageAt(origin);
const versions = () => versionsAt(origin);
const underLoad = (
  name: string,
  step: () => Promise<void>,
  onResponse?: (status: number, instance: string | undefined) => void,
) => underLoadAt(name, [origin], step, onResponse);

describe('the stack on Docker Swarm (one node)', { timeout: 20 * 60_000 }, () => {
  before(async () => {
    await buildReleases();
    lease = await leaseSwarm();
    logs = followLogs(docker, stackScope(stack), artifacts);
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    env.HTTP_PORT = String(port);
    httpsPort = await freePort();
    env.HTTPS_PORT = String(httpsPort);
    const deploy = await swarmScript('deploy', [], env);
    printScript('deploy', deploy);
    assert.equal(deploy.code, 0, deploy.stderr);
    console.log(
      `# swarm: ${lease.created ? 'created for this run' : 'borrowed'}; stack ${stack} on ${origin}`,
    );
  });

  afterEach(async (t) => {
    if ('passed' in t && !t.passed) {
      failed = true;
      await printTaskHistory(`${stack}_edge`, artifacts);
    }
  });

  after(() =>
    tearDownSuite({
      env,
      leased: lease !== undefined,
      stopLogs: async () => logs?.stop(),
      release: async () => lease?.release(),
      failed,
      artifacts,
      tags: [V2, BROKEN, EDGE_V2],
    }),
  );

  test('the committed development password is refused unless allowed', async () => {
    const render = await swarmScript('render', [], { ...env, ALLOW_DEV_SECRETS: '' });
    assert.equal(render.code, 1);
    assert.match(
      render.stderr,
      /^render: secret db_password \(.*\) is a committed development placeholder: set DB_PASSWORD_FILE to a file of your own, or ALLOW_DEV_SECRETS=true/,
    );
  });

  test('deployed from nothing: the page, its assets and the API through the edge', async () => {
    await assertAssetsLoad(origin, (await page()).assets);
    // HTTPS too, on the node's published port, trusting the task's own local CA.
    const edge = await serviceContainer(`${stack}_edge`);
    const ca = (await exec(edge, ['cat', '/var/lib/edge-tls/root.crt'])).stdout;
    const https = await h2Get(`https://localhost:${httpsPort}`, [PAGE_PATH], ca);
    assert.equal(https.alpn, 'h2');
    assert.equal(https.answers[0]?.status, 200);
    const created = await fetch(url(CREATE.path), {
      method: CREATE.method,
      headers: JSON_HEADERS,
      body: createBody('Swarm', 'deployed'),
    });
    assert.equal(created.status, CREATE.status);
    // Swarm says 3/3 once the tasks are healthy; the edge adds each within
    // its next re-resolve and health check (1 s each).
    await eventually(
      async () => assert.equal((await versions()).instances.size, 3, 'three app replicas answer'),
      { timeoutMs: 10_000 },
    );
  });

  test('deploying the same stack again reruns the one-shots and settles', async () => {
    const again = await swarmScript('deploy', [], env);
    printScript('deploy again', again);
    assert.equal(again.code, 0, again.stderr);
    await eventually(async () => assert.equal((await versions()).instances.size, 3), {
      timeoutMs: 10_000,
    });
  });

  test('a one-shot that fails fails the deploy with its own error; the next deploy runs it again', async () => {
    // A setting migrate refuses at start: its job's run fails once (restart
    // policy none), and deploy.ts says which service and why, at once.
    const bad = await swarmScript('deploy', [], { ...env, APP_DB_WAIT_MS: 'soon' });
    printScript('deploy with a bad migrate setting', bad);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      new RegExp(
        `^deploy: ${stack}_migrate failed after 1 attempt\\(s\\): task: non-zero exit \\(1\\)`,
      ),
    );
    assert.ok(bad.seconds < 60, `failed after ${bad.seconds.toFixed(1)} s, not a timeout`);
    const good = await swarmScript('deploy', [], env);
    assert.equal(good.code, 0, good.stderr);
  });

  test('a rolling update to a release with a new asset and a migration fails no request, uploads included', async () => {
    const before = await page();
    let roll: ScriptRun | undefined;
    let uploads: UploadsResult | undefined;
    const result = await underLoad('rolling update v1 → v2', async () => {
      uploads = await uploadsDuring(origin, async () => {
        roll = await swarmScript('roll', ['app', V2], env);
      });
    });
    assert.ok(roll && uploads);
    printScript('roll app', roll);
    assert.equal(roll.code, 0, roll.stderr);
    assertNoFailures(result);
    console.log(
      `# uploads during the roll: ${uploads.statuses.length}, ${uploads.files.length} files`,
    );
    await assertUploadsKept(origin, uploads);

    const after = await versions();
    assert.deepEqual([...after.versions], ['e2e-v2'], 'every replica runs the new release');
    assert.equal(after.instances.size, 3);
    assert.ok((await appliedMigrations(stack)).includes(V2_MIGRATION), 'the new migration ran');
    await assertAssetsLoad(
      origin,
      before.assets,
      'still loads for a page rendered before the update',
    );
    const now = await page();
    assert.notEqual(now.css, before.css, 'the new release names its new stylesheet');
    await assertAssetsLoad(origin, [now.css]);
  });

  test('scaling the app 3 → 5 → 3 fails no request', async () => {
    const service = `${stack}_app`;
    const instances = new Set<string>();
    const result = await underLoad(
      'scale 3 → 5 → 3',
      async () => {
        await scaleService(service, 5);
        await eventually(
          async () => {
            assert.equal(await runningTasks(service), 5);
            assert.ok(instances.size >= 5, `${instances.size} replicas answered`);
          },
          { timeoutMs: 90_000 },
        );
        await scaleService(service, 3);
        await eventually(async () => assert.equal(await liveTasks(service), 3), {
          timeoutMs: 90_000,
        });
        // The removed tasks have drained and stopped; the edge re-resolves.
        await sleep(2000);
      },
      (_status, instance) => {
        if (instance) instances.add(instance);
      },
    );
    assertNoFailures(result);
    assert.ok(instances.size >= 5, `five replicas served (${instances.size})`);
  });

  test('a release that cannot start is rolled back: no failed request, the script exits 1', async () => {
    let roll: ScriptRun | undefined;
    const result = await underLoad('update to a broken release', async () => {
      roll = await swarmScript('roll', ['app', BROKEN], env);
    });
    assert.ok(roll);
    printScript('roll app (broken)', roll);
    assert.notEqual(roll.code, 0, 'roll.ts fails when Swarm rolled back');
    assert.match(roll.stderr, /rollback_completed/);
    assertNoFailures(result);

    await assertV2StillServes(stack, origin);
  });

  test('a deploy of a release that cannot start fails naming the rollback, and fails no request', async () => {
    let deploy: ScriptRun | undefined;
    const result = await underLoad('deploy of a broken release', async () => {
      deploy = await swarmScript('deploy', [], { ...env, APP_IMAGE: BROKEN });
    });
    assert.ok(deploy);
    printScript('deploy (broken)', deploy);
    assert.equal(deploy.code, 1, 'deploy.ts fails when Swarm rolled the app back');
    assert.match(
      deploy.stderr,
      new RegExp(`^deploy: ${stack}_app: update rollback_completed`, 'm'),
    );
    assert.match(deploy.stdout, new RegExp(`${stack}_collectstatic ran ${V2}`));
    assertNoFailures(result);
    await assertV2StillServes(stack, origin);
  });

  test('the edge is replaced stop-first: it drains (503 on its health check, still serving), and the gap is printed', async () => {
    // On one node there is a gap with no listener (no load balancer to move
    // traffic to another node's edge); what must hold is that the old edge
    // says 503 on /_edge/healthz while it still serves, and that nothing but
    // refused or cut connections fails.
    let firstDraining = 0;
    let firstGone = 0;
    let lastServedWhileDraining = 0;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const res = await tryFetch(url('/_edge/healthz'), { signal: AbortSignal.timeout(500) });
        const now = performance.now();
        if (res?.status === 503 && firstDraining === 0) firstDraining = now;
        if (!res && firstDraining > 0 && firstGone === 0) firstGone = now;
        await res?.arrayBuffer();
        await sleep(20);
      }
    })();
    let roll: ScriptRun | undefined;
    const result = await underLoad(
      'edge replaced',
      async () => {
        roll = await swarmScript('roll', ['edge', EDGE_V2], env);
      },
      (status) => {
        if (firstDraining > 0 && firstGone === 0 && status < 500) {
          lastServedWhileDraining = performance.now();
        }
      },
    );
    probing = false;
    await probe;
    assert.ok(roll);
    printScript('roll edge', roll);
    assert.equal(roll.code, 0, roll.stderr);
    const gap = /(\d+) ms with no listener, (\d+) ms answering 503/.exec(roll.stdout);
    assert.ok(gap, 'roll.ts prints the gap');
    assert.ok(
      Number(gap[2]) >= EDGE_DRAIN_MS / 2,
      `healthz answered 503 for ${gap[2]} ms of a ${EDGE_DRAIN_MS} ms drain`,
    );
    assert.ok(firstDraining > 0, 'the old edge answered 503 on /_edge/healthz');
    assert.ok(
      lastServedWhileDraining - firstDraining >= EDGE_DRAIN_MS / 2,
      'requests were served while the health check said 503',
    );
    const http = result.failures.filter((failure) => failure.status !== 0);
    assert.deepEqual(http, [], 'only refused or cut connections fail, never an HTTP error');
    console.log(`# edge replaced: ${result.failures.length} connections refused or cut`);
    assert.equal(await serviceImage(`${stack}_edge`), EDGE_V2);
    await eventually(async () => assert.equal((await tryFetch(url('/healthz')))?.status, 200));
  });
});
