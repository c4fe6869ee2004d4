/**
 * The smoke test of the product: `compose.yaml` as users run it, driven only
 * through the edge's published port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createRecord,
  listedRecords,
  listPath,
  PAGE_HEADING_HTML,
  PAGE_PATH,
} from '../src/domain.ts';
import { staticPaths } from '../src/http.ts';
import { type Stack, startStack } from '../src/stack.ts';

let stack: Stack | undefined;

function running(): Stack {
  if (!stack) throw new Error('the stack did not start');
  return stack;
}

describe('the compose stack, through the edge', () => {
  before(async () => {
    stack = await startStack('smoke');
    console.log(`# compose up → healthy: ${stack.upSeconds.toFixed(1)} s (${stack.project})`);
  });
  after(() => stack?.down());

  test('the edge answers its own health check', async () => {
    const res = await fetch(running().url('/_edge/healthz'));
    assert.equal(res.status, 200);
  });

  test('the page renders and every asset it names loads immutable from the edge', async () => {
    const res = await fetch(running().url(PAGE_PATH), { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('x-instance-id'), 'rendered by an app replica');
    const html = await res.text();
    assert.match(html, PAGE_HEADING_HTML);
    const assets = staticPaths(html);
    assert.ok(assets.length >= 3, `assets named: ${assets.join(', ')}`);
    for (const path of assets) {
      const asset = await fetch(running().url(path), { headers: { 'accept-encoding': 'br' } });
      assert.equal(asset.status, 200, path);
      assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
      await asset.arrayBuffer();
    }
  });

  test('the API creates a record and lists it', async () => {
    const record = await createRecord(running().url, 'Smoke', 'through the whole chain');
    const list = listedRecords(await (await fetch(running().url(listPath()))).json());
    assert.ok(list.some((r) => r.id === record.id));
  });
});
