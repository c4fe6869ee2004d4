/**
 * Rolls the running stack to a new image, and exits non-zero when Swarm
 * rolled the update back: `docker service update` itself exits 0 then, so
 * the outcome is read from the service's UpdateStatus.
 *   node scripts/swarm/roll.ts app  ts-deploy-stack/app:v2
 *   node scripts/swarm/roll.ts edge ts-deploy-stack/edge:v2
 * app: migrate and collectstatic run first with the new image (one-shots),
 * so the new version's migrations and assets exist before its first task is
 * healthy; then the app rolls, one task at a time, start-first. When Swarm
 * rolls the app back, the one-shots run again with the previous image.
 * edge: rolls stop-first (host-mode port) and prints the gap it causes.
 */
import { docker, runMain } from './docker.ts';
import { probeGaps } from './edge-gap.ts';
import { loadSettings } from './settings.ts';
import {
  describeUpdate,
  jobDone,
  jobIteration,
  serviceImage,
  updateFinished,
  updateState,
} from './swarm.ts';

const TARGETS = ['app', 'edge'] as const;
type Target = (typeof TARGETS)[number];

function update(service: string, image: string, extra: string[]): Promise<string> {
  // --no-resolve-image: locally built tags have no registry digest to pin.
  return docker([
    'service',
    'update',
    '--quiet',
    '--no-resolve-image',
    '--image',
    image,
    ...extra,
    service,
  ]);
}

/** Fails unless the service's update, once over, ended `completed`. */
async function checkOutcome(service: string, timeoutMs: number): Promise<void> {
  const status = await updateFinished(service, timeoutMs);
  if (status.state !== 'completed') throw new Error(describeUpdate(service, status));
}

async function edgePort(service: string): Promise<number> {
  const ports = JSON.parse(
    await docker(['service', 'inspect', '-f', '{{json .Spec.EndpointSpec.Ports}}', service]),
  ) as Array<{ TargetPort: number; PublishedPort: number }> | null;
  const port = ports?.find((p) => p.TargetPort === 8080)?.PublishedPort;
  if (!port) throw new Error(`${service} publishes no port for 8080`);
  return port;
}

/**
 * Runs migrate and collectstatic (Swarm jobs) with `image` and waits for
 * each run to complete; --force starts a run even when the image is the one
 * the job already has.
 */
async function runOneShots(stack: string, image: string, timeoutMs: number): Promise<void> {
  for (const oneShot of ['migrate', 'collectstatic']) {
    const name = `${stack}_${oneShot}`;
    await update(name, image, ['--detach', '--force']);
    await jobDone(name, await jobIteration(name), timeoutMs);
    console.log(`${name} ran ${image}`);
  }
}

async function rollApp(stack: string, image: string, timeoutMs: number): Promise<void> {
  const service = `${stack}_app`;
  const previous = await serviceImage(service);
  // The new release's migrations and assets exist before its first task is
  // healthy; the running release accepts the newer migrations (DESIGN.md)
  // and its pages' assets stay in the volume (collectstatic keeps old sets).
  await runOneShots(stack, image, timeoutMs);
  await update(service, image, ['--detach=false']);
  try {
    await checkOutcome(service, timeoutMs);
  } catch (error) {
    // Only after a finished rollback is `previous` what serves; a paused or
    // timed-out update needs an operator, and the one-shots stay as they are.
    if ((await updateState(service)).state !== 'rollback_completed') throw error;
    // collectstatic made the refused release's set current: run the
    // one-shots again with the release that serves. Its migrations stay
    // applied: migrations only ever add (migrations/README.md).
    console.error(`${service} was rolled back to ${previous}; restoring its one-shots`);
    try {
      await runOneShots(stack, previous, timeoutMs);
    } catch (restoring) {
      const why = restoring instanceof Error ? restoring.message : String(restoring);
      throw new Error(`${(error as Error).message}; restoring the one-shots failed too: ${why}`);
    }
    throw error;
  }
}

async function rollEdge(stack: string, image: string, timeoutMs: number): Promise<void> {
  const service = `${stack}_edge`;
  const probe = probeGaps(`http://127.0.0.1:${await edgePort(service)}/_edge/healthz`);
  try {
    await update(service, image, ['--detach=false']);
  } finally {
    const gap = await probe.stop();
    console.log(
      `edge gap on this node: ${gap.noAnswerMs.toFixed(0)} ms with no listener, ` +
        `${gap.drainingMs.toFixed(0)} ms answering 503 (draining), ` +
        `${gap.notReadyMs.toFixed(0)} ms without a 200 (${gap.probes} probes)`,
    );
  }
  await checkOutcome(service, timeoutMs);
}

runMain('roll', async () => {
  const [target, image] = process.argv.slice(2);
  if (!TARGETS.includes(target as Target) || !image) {
    throw new Error('usage: node scripts/swarm/roll.ts app|edge IMAGE');
  }
  const { stack, timeoutMs } = loadSettings();
  const service = `${stack}_${target}`;
  if ((await serviceImage(service)) === image) {
    console.log(`${service} already runs ${image}`);
    return;
  }
  const started = performance.now();
  if (target === 'app') await rollApp(stack, image, timeoutMs);
  else await rollEdge(stack, image, timeoutMs);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${service} rolled to ${image} in ${seconds} s`);
});
