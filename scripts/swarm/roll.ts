/**
 * Rolls the running stack to a new image, and exits non-zero when Swarm
 * rolled the update back: `docker service update` itself exits 0 then, so
 * the outcome is read from the service's UpdateStatus.
 *   node scripts/swarm/roll.ts app  ts-deploy-stack/app:v2
 *   node scripts/swarm/roll.ts edge ts-deploy-stack/edge:v2
 * app: migrate and collectstatic run first with the new image (one-shots),
 * so the new version's migrations and assets exist before its first task is
 * healthy; then the app rolls, one task at a time, start-first.
 * edge: rolls stop-first (host-mode port) and prints the gap it causes.
 */
import { docker, runMain } from './docker.ts';
import { probeGaps } from './edge-gap.ts';
import { loadSettings } from './settings.ts';
import { oneShotDone, serviceImage, updateState, waitFor } from './swarm.ts';

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

/**
 * The CLI's own wait ends once the tasks converge, which can be before the
 * update's monitor window is over (measured: it returned at "updating"), so
 * the outcome is polled until Swarm reports a final state.
 */
async function checkOutcome(service: string, timeoutMs: number): Promise<void> {
  const { state, message } = await waitFor(`${service}'s update to finish`, timeoutMs, async () => {
    const status = await updateState(service);
    return ['updating', 'rollback_started'].includes(status.state) ? undefined : status;
  });
  if (state !== 'completed') {
    throw new Error(`${service}: update ${state || 'not started'}${message ? `: ${message}` : ''}`);
  }
}

async function edgePort(service: string): Promise<number> {
  const ports = JSON.parse(
    await docker(['service', 'inspect', '-f', '{{json .Spec.EndpointSpec.Ports}}', service]),
  ) as Array<{ TargetPort: number; PublishedPort: number }> | null;
  const port = ports?.find((p) => p.TargetPort === 8080)?.PublishedPort;
  if (!port) throw new Error(`${service} publishes no port for 8080`);
  return port;
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
  if (target === 'app') {
    for (const oneShot of ['migrate', 'collectstatic']) {
      const name = `${stack}_${oneShot}`;
      const since = Date.now() - 1000;
      // --force: a one-shot reruns even when its spec is unchanged.
      await update(name, image, ['--detach', '--force']);
      await oneShotDone(name, image, since, timeoutMs);
      console.log(`${name} ran ${image}`);
    }
    await update(service, image, ['--detach=false']);
  } else {
    const probe = probeGaps(`http://127.0.0.1:${await edgePort(service)}/_edge/healthz`);
    try {
      await update(service, image, ['--detach=false']);
    } finally {
      const gap = await probe.stop();
      console.log(
        `edge gap on this node: ${gap.noAnswerMs.toFixed(0)} ms with no listener, ` +
          `${gap.notReadyMs.toFixed(0)} ms without a 200 (${gap.probes} probes)`,
      );
    }
  }
  await checkOutcome(service, timeoutMs);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${service} rolled to ${image} in ${seconds} s`);
});
