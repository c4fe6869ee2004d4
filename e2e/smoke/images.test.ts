/**
 * The images as they run: as their own user, on a read-only root
 * filesystem, every entry point finds its type-stripped code in the compile
 * cache built into the image (docker/compile-cache.ts), so no process loads
 * Node's TypeScript stripper (18 MiB each). Removing the cache, its
 * NODE_COMPILE_CACHE, or building it as the wrong user fails this.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { docker } from '../src/stack.ts';

const IMAGES = [
  ['app', process.env.APP_IMAGE ?? 'ts-deploy-stack/app:local'],
  ['edge', process.env.EDGE_IMAGE ?? 'ts-deploy-stack/edge:local'],
] as const;

for (const [name, image] of IMAGES) {
  test(`${name} image: every entry point runs from the compile cache`, async () => {
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => {
      text += chunk;
    });
    const [result, container] = (await docker.run(
      image,
      ['node', 'docker/compile-cache.ts', name],
      output,
      { Tty: true, HostConfig: { ReadonlyRootfs: true, NetworkMode: 'none' } },
    )) as [{ StatusCode: number }, { remove(): Promise<unknown> }];
    await container.remove();
    assert.equal(result.StatusCode, 0, text);
    assert.match(
      text,
      new RegExp(`compile-cache: ${name}: \\d+ entry points, [1-9]\\d* modules from the cache`),
    );
  });
}
