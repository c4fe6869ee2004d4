/**
 * Renders the stack file and deploys it to this swarm, then waits until every
 * long-running service has all its tasks running (healthy, where the image has
 * a healthcheck) and every one-shot's latest run completed. A one-shot that
 * keeps failing shows as a timeout: `docker service ps --no-trunc` says why.
 *   node scripts/swarm/deploy.ts          (SWARM_STACK, default ts-deploy-stack)
 * Images are used as tagged locally (`--resolve-image never`): build them
 * first with `docker compose build`, or push them to a registry every node
 * can pull from when there is more than one node.
 */
import { docker, runMain } from './docker.ts';
import { loadSettings } from './settings.ts';
import { renderStack } from './stack-file.ts';
import { assertSwarmManager, stackSettled, tasks, waitFor } from './swarm.ts';

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
  const oneShotNames = oneShots.map((name) => `${settings.stack}_${name}`);
  await waitFor(`stack ${settings.stack} to settle`, settings.timeoutMs, async () => {
    for (const service of oneShotNames) {
      const latest = (await tasks(service)).sort((a, b) => b.createdAt - a.createdAt)[0];
      if (latest?.state !== 'complete') return undefined;
    }
    return (await stackSettled(settings.stack, oneShotNames)) ? true : undefined;
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`stack ${settings.stack} deployed and settled in ${seconds} s`);
});
