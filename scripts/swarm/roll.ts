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
import { restoreOneShotsAfterRollback, runOneShots } from './one-shots.ts';
import { loadSettings } from './settings.ts';
import { describeUpdate, serviceImage, updateFinished, updateImage } from './swarm.ts';

const TARGETS = ['app', 'edge'] as const;
type Target = (typeof TARGETS)[number];

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

async function rollApp(stack: string, image: string, timeoutMs: number): Promise<void> {
  const service = `${stack}_app`;
  // The new release's migrations and assets exist before its first task is
  // healthy; the running release's /readyz accepts newer migrations
  // and its pages' assets stay in the volume (collectstatic keeps old sets).
  await runOneShots(stack, image, timeoutMs);
  await updateImage(service, image, ['--detach=false']);
  try {
    await checkOutcome(service, timeoutMs);
  } catch (error) {
    await restoreOneShotsAfterRollback(stack, error, timeoutMs);
  }
}

async function rollEdge(stack: string, image: string, timeoutMs: number): Promise<void> {
  const service = `${stack}_edge`;
  const probe = probeGaps(`http://127.0.0.1:${await edgePort(service)}/_edge/healthz`);
  try {
    await updateImage(service, image, ['--detach=false']);
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
