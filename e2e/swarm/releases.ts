/**
 * The releases the rollout suite deploys and rolls between, built from the
 * repository and e2e/swarm/fixtures, and what it checks of the stack after
 * a refused one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serviceImage } from '../../scripts/swarm/swarm.ts';
import { exec } from '../src/containers.ts';
import { ROOT } from '../src/paths.ts';
import { docker } from '../src/stack.ts';
import { buildImage, serviceContainer } from '../src/swarm.ts';
import { page, versions } from '../src/swarm-steps.ts';

export const V1 = 'ts-deploy-stack/app:local';
export const V2 = 'ts-deploy-stack/app:e2e-v2';
export const BROKEN = 'ts-deploy-stack/app:e2e-broken';
export const EDGE_V1 = 'ts-deploy-stack/edge:local';
export const EDGE_V2 = 'ts-deploy-stack/edge:e2e-v2';
export const V2_MIGRATION = '1893456000000_e2e-v2-releases';
export const FIXTURES = join(ROOT, 'e2e/swarm/fixtures');

/** Every image the suite uses; the `images` phase of `npm test` has cached v1. */
export async function buildReleases(): Promise<void> {
  await buildImage('docker/app.Dockerfile', V1, '.');
  await buildImage('docker/edge.Dockerfile', EDGE_V1, '.');
  await buildImage(join(FIXTURES, 'app-v2.Dockerfile'), V2, FIXTURES);
  await buildImage(join(FIXTURES, 'app-broken.Dockerfile'), BROKEN, FIXTURES);
  await docker.getImage(EDGE_V1).tag({ repo: 'ts-deploy-stack/edge', tag: 'e2e-v2' });
}

/** The migrations the stack's database recorded, in order. */
export async function appliedMigrations(stack: string): Promise<string[]> {
  const db = await serviceContainer(`${stack}_db`);
  const result = await exec(db, [
    'psql',
    '--username=app',
    '--dbname=app',
    '--tuples-only',
    '--no-align',
    '--command=SELECT name FROM pgmigrations ORDER BY id',
  ]);
  assert.equal(result.exitCode, 0, result.stderr);
  return result.stdout.split('\n').filter(Boolean);
}

/**
 * After a refused release: v2 serves, and the one-shots ran again with it, so
 * the static volume's current set is v2's, not the refused one's.
 */
export async function assertV2StillServes(stack: string, origin: string): Promise<void> {
  assert.equal(await serviceImage(`${stack}_app`), V2);
  assert.deepEqual([...(await versions(origin)).versions], ['e2e-v2']);
  assert.equal(await serviceImage(`${stack}_collectstatic`), V2);
  const edge = await serviceContainer(`${stack}_edge`);
  const manifest = await exec(edge, ['cat', '/srv/static/manifest.json']);
  const current = JSON.parse(manifest.stdout) as { files: Record<string, string> };
  assert.equal(`/static/${current.files['css/app.css']}`, (await page(origin)).css);
}
