/**
 * Removes the stack and waits until its containers and networks are gone
 * (`docker stack rm` returns before they are). `--volumes` also deletes its
 * volumes: the database and the static set. Leaving the swarm is not this
 * script's business: `docker swarm leave --force`, then
 * `docker network rm docker_gwbridge`, which leave keeps.
 *   node scripts/swarm/remove.ts [--volumes]
 */
import { DockerError, docker, runMain } from './docker.ts';
import { loadSettings } from './settings.ts';
import { waitFor } from './swarm.ts';

const lines = (out: string) => out.split('\n').filter(Boolean);

runMain('remove', async () => {
  const { stack, timeoutMs } = loadSettings();
  const label = `label=com.docker.stack.namespace=${stack}`;
  try {
    await docker(['stack', 'rm', stack]);
  } catch (error) {
    // `stack rm` deletes the services, then at once the networks: one whose
    // tasks Swarm has not shut down yet still has endpoints, and the CLI
    // gives up on it (moby/moby#31068). The wait below removes it later.
    const leftNetworks =
      error instanceof DockerError &&
      /Failed to remove some resources|active endpoints|in use/i.test(error.message);
    if (!leftNetworks) throw error;
  }
  await waitFor(`stack ${stack}'s containers and networks to go`, timeoutMs, async () => {
    if (lines(await docker(['ps', '-aq', '--filter', label])).length > 0) return undefined;
    const networks = lines(await docker(['network', 'ls', '-q', '--filter', label]));
    if (networks.length === 0) return true;
    // Left by `stack rm` (above); an error here is retried on the next poll.
    await docker(['network', 'rm', ...networks]).catch(() => undefined);
    return undefined;
  });
  if (process.argv.includes('--volumes')) {
    const volumes = lines(await docker(['volume', 'ls', '-q', '--filter', label]));
    if (volumes.length > 0) await docker(['volume', 'rm', ...volumes]);
    console.log(`removed volumes: ${volumes.join(', ') || 'none'}`);
  }
  console.log(`stack ${stack} removed`);
});
