import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BufferedDestination } from '../src/log-destination.ts';

async function withFile(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ path: string; fd: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-log-'));
  const path = join(dir, 'access.log');
  const fd = openSync(path, 'w');
  t.after(async () => {
    closeSync(fd);
    await rm(dir, { recursive: true });
  });
  return { path, fd };
}

test('every line arrives, in order, once flush calls back', async (t) => {
  const { path, fd } = await withFile(t);
  const destination = new BufferedDestination(fd);
  const lines = Array.from(
    { length: 5000 },
    (_, i) => `{"n":${i},"path":"/static/é/${'x'.repeat(i % 300)}"}\n`,
  );
  for (const line of lines) destination.write(line);
  destination.write(`{"big":"${'y'.repeat(100_000)}"}\n`); // larger than a buffer
  destination.write('{"after":true}\n');
  await new Promise<void>((resolve) => destination.flush(resolve));
  const expected = `${lines.join('')}{"big":"${'y'.repeat(100_000)}"}\n{"after":true}\n`;
  assert.equal(readFileSync(path, 'utf8'), expected);
  assert.equal(destination.dropped, 0);
});

test('nothing reaches the file until a buffer fills or a flush', async (t) => {
  const { path, fd } = await withFile(t);
  const destination = new BufferedDestination(fd);
  destination.write('{"one":1}\n');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(readFileSync(path, 'utf8'), '', 'a single line waits for company');
  await new Promise<void>((resolve) => destination.flush(resolve));
  assert.equal(readFileSync(path, 'utf8'), '{"one":1}\n');
});
