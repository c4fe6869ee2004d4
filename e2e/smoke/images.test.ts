/**
 * The images as they run: as their own user, on a read-only root
 * filesystem, every entry point finds its type-stripped code in the compile
 * cache built into the image (docker/compile-cache.ts), so no process loads
 * Node's TypeScript stripper (18 MiB each). Removing the cache, its
 * NODE_COMPILE_CACHE, or building it as the wrong user fails this.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOnce } from '../src/containers.ts';
import { docker } from '../src/stack.ts';

const IMAGES = [
  ['app', process.env.APP_IMAGE ?? 'ts-deploy-stack/app:local'],
  ['edge', process.env.EDGE_IMAGE ?? 'ts-deploy-stack/edge:local'],
] as const;

for (const [name, image] of IMAGES) {
  test(`${name} image: every entry point runs from the compile cache`, async () => {
    const { code, text } = await runOnce(docker, image, ['node', 'docker/compile-cache.ts', name], {
      ReadonlyRootfs: true,
      NetworkMode: 'none',
    });
    assert.equal(code, 0, text);
    assert.match(
      text,
      new RegExp(`compile-cache: ${name}: \\d+ entry points, [1-9]\\d* modules from the cache`),
    );
  });
}
