/**
 * Renders the stack file and deploys it to this swarm, then waits until every
 * long-running service has all its tasks running (healthy, where the image has
 * a healthcheck) and the run of every one-shot (a Swarm job) that this
 * deploy started completed. A one-shot that failed fails the deploy with its
 * task's error; one Swarm rolled back fails it too, after the one-shots ran
 * again with the release that still serves.
 *   node scripts/swarm/deploy.ts          (SWARM_STACK, default ts-deploy-stack)
 * Images are used as tagged locally (`--resolve-image never`): build them
 * first with `docker compose build`, or push them to a registry every node
 * can pull from when there is more than one node.
 */
import { docker, runMain } from './docker.ts';
import { restoreOneShotsAfterRollback } from './one-shots.ts';
import { loadSettings } from './settings.ts';
import { renderStack } from './stack-file.ts';
import {
  assertSwarmManager,
  describeUpdate,
  engineNow,
  failedUpdates,
  jobDone,
  jobIteration,
  stackSettled,
  waitFor,
} from './swarm.ts';

runMain('deploy', async () => {
  const settings = loadSettings();
  await assertSwarmManager();
  const { file, oneShots, notes } = await renderStack(settings);
  for (const note of notes) console.log(`note: ${note}`);
  const started = performance.now();
  const since = await engineNow();
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
  const oneShotNames = oneShots.map((name) => `${settings.stack}_${name}`);
  // Every deploy starts a new run of each job (as `docker compose up` runs
  // its one-shots again); one at a time, so a failed one ends the wait with
  // its own error, not a timeout.
  for (const service of oneShotNames) {
    await jobDone(service, await jobIteration(service), settings.timeoutMs);
  }
  await waitFor(`stack ${settings.stack} to settle`, settings.timeoutMs, async () =>
    (await stackSettled(settings.stack, oneShotNames)) ? true : undefined,
  );
  // A changed image rolls like `swarm:roll` does; Swarm may have rolled it back.
  const failed = await failedUpdates(settings.stack, since, settings.timeoutMs);
  if (failed.length > 0) {
    const error = new Error(failed.map((f) => describeUpdate(f.service, f.status)).join('; '));
    // The one-shots ran with the refused app release: as roll.ts does, run
    // them again with the release Swarm went back to.
    if (failed.some((f) => f.service === `${settings.stack}_app`)) {
      await restoreOneShotsAfterRollback(settings.stack, error, settings.timeoutMs);
    }
    throw error;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`stack ${settings.stack} deployed and settled in ${seconds} s`);
});
