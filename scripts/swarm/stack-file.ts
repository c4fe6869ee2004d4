/**
 * Renders the stack file: `docker compose -f compose.yaml -f compose.swarm.yaml
 * [-f <SWARM_COMPOSE_FILES>…] config` (interpolated, merged, paths made absolute), converted for Swarm,
 * written, then checked by the stack loader itself (`docker stack config`,
 * client-side: no swarm needed), so a file that would not deploy fails here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toStackFile } from './convert.ts';
import { docker } from './docker.ts';
import { assertNoPlaceholderSecrets } from './secrets.ts';
import type { SwarmSettings } from './settings.ts';

export interface RenderResult {
  file: string;
  services: string[];
  /** Job services (deploy.mode replicated-job or global-job): they run to completion, once per deploy. */
  oneShots: string[];
  notes: string[];
}

export async function renderStack(settings: SwarmSettings): Promise<RenderResult> {
  const merged = JSON.parse(
    await docker([
      'compose',
      '--project-directory',
      settings.root,
      '-f',
      path.join(settings.root, 'compose.yaml'),
      '-f',
      path.join(settings.root, 'compose.swarm.yaml'),
      ...settings.composeFiles.flatMap((file) => ['-f', file]),
      'config',
      '--format',
      'json',
    ]),
  ) as Record<string, unknown>;
  // The same rule as the app's APP_ALLOW_DEV_SECRETS, whose value the overlay
  // takes from ALLOW_DEV_SECRETS (default false): read back from the merge.
  const app = (merged.services as Record<string, { environment?: Record<string, string> }>)?.app;
  assertNoPlaceholderSecrets(merged, app?.environment?.APP_ALLOW_DEV_SECRETS === 'true');
  const { stack, notes } = toStackFile(merged);
  // JSON is YAML: the stack loader reads it as is, and no YAML writer is needed.
  const text = [
    `# Rendered by scripts/swarm/render.ts from ${['compose.yaml', 'compose.swarm.yaml', ...settings.composeFiles.map((f) => path.relative(settings.root, f))].join(' + ')}.`,
    '# Do not edit: change those and render again.',
    JSON.stringify(stack, null, 2),
    '',
  ].join('\n');
  await mkdir(path.dirname(settings.stackFile), { recursive: true });
  await writeFile(settings.stackFile, text);
  // Interpolation already happened in compose; a second pass would eat `$$`.
  await docker(['stack', 'config', '--skip-interpolation', '-c', settings.stackFile]);
  const services = stack.services as Record<string, { deploy?: { mode?: string } }>;
  const oneShots = Object.keys(services).filter((name) =>
    services[name]?.deploy?.mode?.endsWith('-job'),
  );
  return { file: settings.stackFile, services: Object.keys(services), oneShots, notes };
}
