/**
 * Development mode (compose.dev.yaml on top of compose.yaml): the stack runs
 * from this checkout's sources, and a static file saved in
 * services/app/static is collected into the volume the edge serves without a
 * restart or rebuild.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../src/paths.ts';
import { startStack } from '../src/stack.ts';

async function manifestFiles(url: string): Promise<Record<string, string>> {
  const res = await fetch(url);
  if (!res.ok) return {};
  return ((await res.json()) as { files: Record<string, string> }).files;
}

test('in development mode a saved static file is served by the edge within seconds', async (t) => {
  const stack = await startStack('dev', { files: ['compose.yaml', 'compose.dev.yaml'] });
  t.after(() => stack.down());
  console.log(`# compose up (dev mode) → healthy: ${stack.upSeconds.toFixed(1)} s`);

  const page = await fetch(stack.url('/'), { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  const css = /href="(\/static\/css\/app\.[0-9a-f]{8}\.css)"/.exec(await page.text())?.[1];
  assert.ok(css, 'the page names the hashed stylesheet');
  assert.equal((await fetch(stack.url(css))).status, 200);

  // A new source file in the checkout, removed again whatever happens.
  const name = `e2e-probe-${randomBytes(4).toString('hex')}.txt`;
  const source = join(ROOT, 'services/app/static', name);
  t.after(() => rm(source, { force: true }));
  await writeFile(source, `saved by the dev-mode smoke test\n`);

  let hashed: string | undefined;
  const deadline = Date.now() + 30_000;
  while (!hashed && Date.now() < deadline) {
    hashed = (await manifestFiles(stack.url('/static/manifest.json')))[name];
    if (!hashed) await sleep(250);
  }
  assert.ok(hashed, `${name} reached the edge's manifest within 30 s`);
  const served = await fetch(stack.url(`/static/${hashed}`));
  assert.equal(served.status, 200);
  assert.equal(await served.text(), 'saved by the dev-mode smoke test\n');
});
