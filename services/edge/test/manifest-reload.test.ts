import assert from 'node:assert/strict';
import { realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliDecompressSync } from 'node:zlib';
import { pino } from 'pino';
import { StaticTable } from '../src/static/table.ts';
import {
  CSS_TEXT,
  get,
  makeStaticRoot,
  startEdge,
  TABLE_CSS,
  testConfig,
  write,
  writeCompressed,
  writeManifest,
} from './helpers.ts';

const NEW_CSS = 'css/app.b0b0b0b0.css';
const NEW_JS = 'js/app.b1b1b1b1.js';
const NEW_TEXT = `${'.new { color: blue; }\n'.repeat(50)}`;

async function until(check: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('a new manifest is picked up while serving, and no request sees half of each set', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port, edge } = await startEdge(t, testConfig(root, { staticPollMs: 100 }));
  const table = edge.staticTable;
  assert.ok(table.byRel(TABLE_CSS));

  const violations: string[] = [];
  let samples = 0;
  let answers = 0;
  let running = true;
  // Samples the table between every await of a rebuild: a table filled in
  // place would show the new stylesheet without the new script.
  const sampler = (async () => {
    while (running) {
      const hasNew = table.byRel(NEW_CSS) !== undefined;
      if (hasNew !== (table.byRel(NEW_JS) !== undefined)) violations.push('half of the new set');
      if (hasNew === (table.byRel(TABLE_CSS) !== undefined)) violations.push('both sets at once');
      samples++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  // What clients see meanwhile: the new name is absent (404) or whole.
  async function observe(): Promise<void> {
    const fresh = await get(port, `/static/${NEW_CSS}`, { 'accept-encoding': 'br' });
    if (fresh.status === 200) {
      // Identity is right too, in the moment before collectstatic writes the siblings.
      const br = fresh.headers['content-encoding'] === 'br';
      const text = (br ? brotliDecompressSync(fresh.body) : fresh.body).toString();
      if (text !== NEW_TEXT) violations.push('new bytes wrong');
      const cacheControl = String(fresh.headers['cache-control']);
      if (!cacheControl.includes('immutable')) violations.push('not immutable');
    } else if (fresh.status !== 404) {
      violations.push(`new: ${fresh.status}`);
    }
    const old = await get(port, `/static/${TABLE_CSS}`);
    if (old.status !== 200 || old.body.toString() !== CSS_TEXT) violations.push('old set broken');
  }
  const client = (async () => {
    while (running) {
      try {
        await observe();
      } catch (error) {
        violations.push(String(error));
      }
      answers++;
    }
  })();

  try {
    await sleep(50);
    // collectstatic's order: the hashed files first, the manifest last.
    await writeCompressed(root, NEW_CSS, NEW_TEXT);
    await write(root, NEW_JS, 'console.log("new");\n');
    await writeManifest(root, { 'css/app.css': NEW_CSS, 'js/app.js': NEW_JS });
    await until(() => table.byRel(NEW_CSS) !== undefined, 'the new set in the table');
    await sleep(100);
  } finally {
    running = false;
    await Promise.all([sampler, client]);
  }

  assert.deepEqual(violations, []);
  assert.ok(samples > 10 && answers > 2, `too few observations (${samples}, ${answers})`);
  assert.equal(table.byRel(TABLE_CSS), undefined, 'the old set left the table');
  const old = await get(port, `/static/${TABLE_CSS}`);
  assert.equal(old.status, 200, 'a page rendered before the deploy still loads its assets');
  assert.equal(old.headers['cache-control'], 'public, max-age=31536000, immutable');
});

test('a broken manifest keeps the previous table', async (t) => {
  const { root } = await makeStaticRoot(t);
  const { port, edge, lines } = await startEdge(t, testConfig(root, { staticPollMs: 50 }));
  await writeFile(join(root, 'manifest.json'), '{"version": 1, "files": ');
  await until(
    () => lines.some((line) => String(line.msg).startsWith('manifest unreadable')),
    'the warning',
  );
  assert.ok(edge.staticTable.byRel(TABLE_CSS));
  assert.equal((await get(port, `/static/${TABLE_CSS}`)).status, 200);
});

test('beyond the memory bound files are served from disk with the same headers', async (t) => {
  const { root } = await makeStaticRoot(t);
  const inMemory = await startEdge(t, testConfig(root));
  const bounded = await startEdge(t, testConfig(root, { staticCacheBytes: 0 }));
  assert.ok(inMemory.edge.staticTable.byRel(TABLE_CSS));
  assert.equal(bounded.edge.staticTable.stats.resources, 0);
  for (const encoding of ['', 'br', 'gzip']) {
    const headers: Record<string, string> = encoding ? { 'accept-encoding': encoding } : {};
    const a = await get(inMemory.port, `/static/${TABLE_CSS}`, headers);
    const b = await get(bounded.port, `/static/${TABLE_CSS}`, headers);
    for (const name of [
      'etag',
      'last-modified',
      'content-type',
      'content-length',
      'cache-control',
      'vary',
      'content-encoding',
    ]) {
      assert.equal(b.headers[name], a.headers[name], `${name} (${encoding || 'identity'})`);
    }
    assert.deepEqual(b.body, a.body);
  }
});

test('with no file-system events, the periodic stat still picks up a new manifest', async (t) => {
  const { root } = await makeStaticRoot(t);
  const table = new StaticTable({
    rootReal: await realpath(root),
    maxBytes: 1024 * 1024,
    pollMs: 50,
    log: pino({ level: 'silent' }),
    watch: false,
  });
  t.after(() => table.close());
  await table.start();
  assert.ok(table.byRel(TABLE_CSS));
  await writeCompressed(root, NEW_CSS, NEW_TEXT);
  await writeManifest(root, { 'css/app.css': NEW_CSS });
  await until(() => table.byRel(NEW_CSS) !== undefined, 'the poll to load the new set');
  assert.equal(table.byRel(TABLE_CSS), undefined);
});
