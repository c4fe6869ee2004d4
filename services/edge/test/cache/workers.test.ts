/**
 * Invalidation across the workers of one edge (cache/peers.ts), through
 * main.ts as a real cluster: a write relayed by one worker drops the other
 * worker's copy too, so a reader on a new connection reads the write.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeStaticRoot, startMain } from '../helpers.ts';
import { readBody, send, sleep, startUpstream, until } from '../proxy/helpers.ts';

test('a POST through one worker invalidates the entry on the other worker as well', async (t) => {
  let version = 0;
  let gets = 0;
  const upstream = await startUpstream(t, (req, res) => {
    if (req.method === 'GET') {
      // The edge's health checks GET another path.
      if (req.url === '/items') gets++;
      res.writeHead(200, { 'cache-control': 's-maxage=600', 'content-type': 'text/plain' });
      res.end(`v${version}`);
      return;
    }
    void readBody(req).then(() => {
      version++;
      res.writeHead(201, { location: '/items/1' }).end();
    });
  });
  const { root } = await makeStaticRoot(t);
  const { port, lines, nextListening } = await startMain(t, {
    EDGE_STATIC_ROOT: root,
    EDGE_WORKERS: '2',
    EDGE_UPSTREAM: `http://127.0.0.1:${upstream.port}`,
  });
  await nextListening();
  // The access log (flushed within 1 s) says which worker answered what.
  const pidsFor = (method: string, from: number) =>
    new Set(
      lines
        .slice(from)
        .filter((line) => line.method === method && line.path === '/items')
        .map((line) => line.pid),
    );

  // Each request on a new connection: round-robin hands them to both workers.
  const READS = 8;
  for (let i = 0; i < READS; i++) assert.equal((await send(port, { path: '/items' })).text, 'v0');
  await until(() => pidsFor('GET', 0).size === 2, 5000);
  assert.equal(gets, 2, 'each worker asked once and kept the answer');

  const written = lines.length;
  const posted = await send(port, { method: 'POST', path: '/items', body: 'x' });
  assert.equal(posted.status, 201);
  // Nothing waits for the other worker's message (peers.ts): it is given
  // a second, far less than the entry's 600 s it would otherwise live.
  const deadline = Date.now() + 1000;
  for (;;) {
    const reads = [];
    for (let i = 0; i < READS; i++) reads.push(await send(port, { path: '/items' }));
    const old = reads.filter((read) => read.text !== 'v1');
    if (old.length === 0) break;
    assert.ok(Date.now() < deadline, `still old after 1 s: ${old[0]?.headers['cache-status']}`);
    await sleep(50);
  }
  await until(() => pidsFor('GET', written).size === 2, 5000);
  assert.equal(gets, 4, 'each worker asked again once, then kept the new answer');
});
