/**
 * Writes the Swarm stack file (default artifacts/swarm/stack.yaml) from
 * compose.yaml + compose.swarm.yaml, and prints what Swarm cannot express.
 *   node scripts/swarm/render.ts
 */
import { runMain } from './docker.ts';
import { loadSettings } from './settings.ts';
import { renderStack } from './stack-file.ts';

runMain('render', async () => {
  const { file, services, notes } = await renderStack(loadSettings());
  for (const note of notes) console.log(`note: ${note}`);
  console.log(`wrote ${file} (${services.join(', ')})`);
});
