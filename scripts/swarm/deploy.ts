/**
 * Renders the stack file and deploys it to this swarm, then waits until every
 * long-running service has all its tasks running (healthy, where the image has
 * a healthcheck) and every one-shot's latest run completed. A one-shot that
 * used up its attempts fails the deploy with its task's error.
 *   node scripts/swarm/deploy.ts          (SWARM_STACK, default ts-deploy-stack)
 * Images are used as tagged locally (`--resolve-image never`): build them
 * first with `docker compose build`, or push them to a registry every node
 * can pull from when there is more than one node.
 */
import { docker, runMain } from './docker.ts';
import { loadSettings } from './settings.ts';
import { renderStack } from './stack-file.ts';
import { assertSwarmManager, oneShotDone, stackSettled, waitFor } from './swarm.ts';

runMain('deploy', async () => {
  const settings = loadSettings();
  await assertSwarmManager();
  const { file, oneShots, notes } = await renderStack(settings);
  for (const note of notes) console.log(`note: ${note}`);
  const started = performance.now();
  await docker([
    'stack',
    'deploy',
    '--resolve-image',
    'never',
    '--prune',
    // Our own wait below: the CLI's convergence wait never ends for one-shots.
    '--detach=true',
    '-c',
    file,
    settings.stack,
  ]);
  const since = Date.now() - 1000;
  const oneShotNames = oneShots.map((name) => `${settings.stack}_${name}`);
  // One at a time: a failed one-shot ends the wait with its own error, not a timeout.
  for (const service of oneShotNames) {
    await oneShotDone(service, { since }, settings.timeoutMs);
  }
  await waitFor(`stack ${settings.stack} to settle`, settings.timeoutMs, async () =>
    (await stackSettled(settings.stack, oneShotNames)) ? true : undefined,
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`stack ${settings.stack} deployed and settled in ${seconds} s`);
});
