import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { test } from 'node:test';
import { readBody } from '../proxy/helpers.ts';
import { answer, scripted } from './helpers.ts';

const CACHEABLE = { 'cache-control': 's-maxage=60' };

test('EDGE_CACHE_BYTES bounds the store: least recently used entries are evicted first', async (t) => {
  const body = 'x'.repeat(10_000);
  // Room for two entries of ~10.5 KB, not three.
  const s = await scripted(t, answer(CACHEABLE, body), { cacheBytes: 25_000 });
  await s.get('/1');
  await s.get('/2');
  await s.get('/1'); // /1 is now more recent than /2
  await s.get('/3'); // evicts /2
  const stats = s.edge.proxy.stats().cache;
  assert.equal(stats.evictions, 1);
  assert.equal(stats.entries, 2);
  assert.ok(stats.bytes <= 25_000 && stats.bytes > 20_000, `bytes ${stats.bytes}`);
  await s.get('/1');
  await s.get('/3');
  assert.deepEqual([s.hits('/1'), s.hits('/3')], [1, 1]);
  await s.get('/2');
  assert.equal(s.hits('/2'), 2);
});

test('a body above EDGE_CACHE_MAX_ENTRY_BYTES is relayed whole and not stored (with and without a length)', async (t) => {
  const big = Buffer.alloc(300_000, 7);
  const s = await scripted(
    t,
    (req, res) => {
      const headers: Record<string, string | number> = { ...CACHEABLE };
      if (req.url === '/sized') headers['content-length'] = big.length;
      res.writeHead(200, headers);
      // Written in pieces so a chunked body grows past the limit while streaming.
      for (let i = 0; i < big.length; i += 50_000) res.write(big.subarray(i, i + 50_000));
      res.end();
    },
    { cacheMaxEntryBytes: 100_000 },
  );
  for (const path of ['/sized', '/chunked']) {
    const first = await s.get(path);
    assert.ok(first.body.equals(big));
    const second = await s.get(path);
    assert.ok(second.body.equals(big));
    assert.equal(s.hits(path), 2);
  }
  assert.equal(s.edge.proxy.stats().cache.entries, 0);
  assert.equal(s.edge.proxy.stats().cache.bytes, 0);
});

test('a stored body reaches the client while the upstream is still writing it', async (t) => {
  let finish: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const s = await scripted(t, async (_req, res) => {
    res.writeHead(200, CACHEABLE);
    res.write(Buffer.alloc(2000, 3));
    await released;
    res.end(Buffer.alloc(10, 4));
  });
  const req = request({ port: s.edge.port, host: '127.0.0.1', path: '/stream' });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const [first] = (await once(res, 'data')) as [Buffer];
  assert.equal(first[0], 3);
  finish();
  const rest = await readBody(res);
  assert.equal(first.length + rest.length, 2010);
  const hit = await s.get('/stream');
  assert.equal(hit.body.length, 2010);
  assert.match(String(hit.headers['cache-status']), /^edge; hit/);
});

test('EDGE_CACHE=off: nothing stored, no Cache-Status', async (t) => {
  const s = await scripted(t, answer(CACHEABLE), { cache: 'off' });
  const first = await s.get();
  await s.get();
  assert.equal(s.hits(), 2);
  assert.equal(first.headers['cache-status'], undefined);
});

test('a cut upstream body is not stored', async (t) => {
  let calls = 0;
  const s = await scripted(t, (_req, res) => {
    calls++;
    res.writeHead(200, { ...CACHEABLE, 'content-length': '100' });
    res.write('partial');
    if (calls === 1) setTimeout(() => res.destroy(), 20);
    else res.end('x'.repeat(93));
  });
  await s.get().catch(() => {});
  const second = await s.get();
  assert.equal(second.body.length, 100);
  assert.equal(s.hits(), 2);
});

test('a stored text answer is compressed per client, from one entry', async (t) => {
  const text = 'compressible '.repeat(200);
  const s = await scripted(t, answer(CACHEABLE, text), { compressMinBytes: 1024 });
  await s.get('/t');
  const gzip = await s.get('/t', { 'accept-encoding': 'gzip' });
  const plain = await s.get('/t');
  assert.equal(gzip.headers['content-encoding'], 'gzip');
  assert.equal(gzip.headers.vary, 'Accept-Encoding');
  assert.equal(plain.text, text);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers.vary, 'Accept-Encoding', 'the stored head says it varies too');
  // After the plain hit built the entry's head once, a client that takes br still gets br.
  const br = await s.get('/t', { 'accept-encoding': 'br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(s.hits('/t'), 1);
});
