import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { get, startEdge, testConfig } from './helpers.ts';

// The app's collectstatic, the one-shot that fills the volume in production.
const CLI = fileURLToPath(new URL('../../app/src/collectstatic/cli.ts', import.meta.url));
const SOURCES = fileURLToPath(new URL('../../app/static', import.meta.url));

function collectstatic(out: string, source: string): void {
  const result = spawnSync(process.execPath, [CLI, '--out', out, '--source', source], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, INIT_CWD: '' },
  });
  assert.equal(result.status, 0, result.stderr);
}

async function manifestOf(out: string): Promise<Record<string, string>> {
  return JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')).files;
}

test('the edge serves the real collectstatic output and follows a new deploy', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'edge-collectstatic-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const out = join(base, 'volume');
  const source = join(base, 'source');
  await cp(SOURCES, source, { recursive: true });
  collectstatic(out, source);
  const first = await manifestOf(out);
  assert.ok(Object.keys(first).length > 0);

  const { port, edge } = await startEdge(t, testConfig(out, { staticPollMs: 100 }));

  for (const hashed of Object.values(first)) {
    await t.test(`/static/${hashed}: the file's bytes, immutable, br when accepted`, async () => {
      const bytes = await readFile(join(out, hashed));
      const answer = await get(port, `/static/${hashed}`);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, bytes);
      assert.equal(answer.headers['cache-control'], 'public, max-age=31536000, immutable');
      const br = await get(port, `/static/${hashed}`, { 'accept-encoding': 'gzip, br' });
      const hasBr = await readFile(join(out, `${hashed}.br`)).then(
        () => true,
        () => false,
      );
      assert.equal(br.headers['content-encoding'], hasBr ? 'br' : undefined);
    });
  }

  await t.test("collectstatic's bookkeeping dotfiles are never served", async () => {
    assert.equal((await get(port, '/static/.collectstatic/history.json')).status, 404);
  });

  await t.test('a second deploy is served without a restart; the old set still loads', async () => {
    await appendFile(join(source, 'css', 'app.css'), '\n/* deploy 2 */\n');
    collectstatic(out, source);
    const second = await manifestOf(out);
    const [oldCss, newCss] = [first['css/app.css'], second['css/app.css']];
    assert.ok(oldCss && newCss && oldCss !== newCss);
    const deadline = Date.now() + 5000;
    while (!edge.staticTable.byRel(newCss)) {
      assert.ok(Date.now() < deadline, 'the new manifest was not picked up');
      await sleep(20);
    }
    const fresh = await get(port, `/static/${newCss}`);
    assert.match(fresh.body.toString(), /deploy 2/);
    assert.equal((await get(port, `/static/${oldCss}`)).status, 200);
  });
});
