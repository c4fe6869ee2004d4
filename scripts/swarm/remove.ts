/**
 * Removes the stack and waits until its containers and networks are gone
 * (`docker stack rm` returns before they are). `--volumes` also deletes its
 * volumes: the database and the static set. Leaving the swarm is not this
 * script's business: `docker swarm leave --force`, then
 * `docker network rm docker_gwbridge`, which leave keeps.
 *   node scripts/swarm/remove.ts [--volumes]
 */
import { docker, runMain } from './docker.ts';
import { loadSettings } from './settings.ts';
import { waitFor } from './swarm.ts';

const lines = (out: string) => out.split('\n').filter(Boolean);

runMain('remove', async () => {
  const { stack, timeoutMs } = loadSettings();
  const label = `label=com.docker.stack.namespace=${stack}`;
  await docker(['stack', 'rm', stack]);
  await waitFor(`stack ${stack}'s containers and networks to go`, timeoutMs, async () => {
    const containers = lines(await docker(['ps', '-aq', '--filter', label]));
    const networks = lines(await docker(['network', 'ls', '-q', '--filter', label]));
    return containers.length === 0 && networks.length === 0 ? true : undefined;
  });
  if (process.argv.includes('--volumes')) {
    const volumes = lines(await docker(['volume', 'ls', '-q', '--filter', label]));
    if (volumes.length > 0) await docker(['volume', 'rm', ...volumes]);
    console.log(`removed volumes: ${volumes.join(', ') || 'none'}`);
  }
  console.log(`stack ${stack} removed`);
});
