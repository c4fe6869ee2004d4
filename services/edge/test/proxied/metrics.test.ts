/**
 * `/_edge/metrics` from main.ts as a real cluster of two workers: whichever
 * worker takes the scrape answers with both workers' counters added up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeStaticRoot, startMain, TABLE_CSS } from '../helpers.ts';
import { send, startUpstream, until } from './helpers.ts';

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `${series} is in the scrape`);
  return Number(line.slice(series.length + 1));
}

test('metrics add up across two workers', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    res.statusCode = req.url === '/fail' ? 500 : 200;
    res.end('x');
  });
  const { root } = await makeStaticRoot(t);
  const { port, lines, nextListening } = await startMain(t, {
    EDGE_STATIC_ROOT: root,
    EDGE_WORKERS: '2',
    EDGE_UPSTREAM: `http://127.0.0.1:${upstream.port}`,
  });
  await nextListening();

  // Each on a new connection: Node's round-robin hands them to both workers.
  const OK = 20;
  const FAILED = 3;
  const STATIC = 6;
  for (let i = 0; i < OK; i++) assert.equal((await send(port, { path: `/ok/${i}` })).status, 200);
  for (let i = 0; i < FAILED; i++) assert.equal((await send(port, { path: '/fail' })).status, 500);
  for (let i = 0; i < STATIC; i++) {
    assert.equal((await send(port, { path: `/static/${TABLE_CSS}` })).status, 200);
  }
  // The access log (flushed within 1 s) says which worker served what.
  const proxied = () => lines.filter((line) => 'upstream' in line);
  await until(() => proxied().length === OK + FAILED, 5000);
  const pids = new Set(proxied().map((line) => line.pid));
  assert.equal(pids.size, 2, 'both workers served proxied requests');

  for (let scrape = 0; scrape < 2; scrape++) {
    const reply = await send(port, { path: '/_edge/metrics' });
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = reply.text;
    assert.equal(sample(text, 'edge_workers'), 2);
    assert.equal(sample(text, 'edge_requests_total{kind="proxy",class="2xx"}'), OK);
    assert.equal(sample(text, 'edge_requests_total{kind="proxy",class="5xx"}'), FAILED);
    assert.equal(sample(text, 'edge_requests_total{kind="static",class="2xx"}'), STATIC);
    assert.equal(sample(text, 'edge_static_table_hits_total'), STATIC);
    assert.equal(sample(text, 'edge_upstream_duration_seconds_count'), OK + FAILED);
    assert.equal(sample(text, 'edge_upstream_duration_seconds_bucket{le="+Inf"}'), OK + FAILED);
    assert.equal(sample(text, 'edge_upstream_retries_total'), 0);
    assert.equal(sample(text, 'edge_upstream_ejections_total'), 0);
    // Each worker keeps its keep-alive connection(s) to the one upstream.
    assert.ok(sample(text, 'edge_upstream_connections') >= 2);
    assert.ok(
      sample(text, `edge_upstream_address_healthy{address="127.0.0.1:${upstream.port}"}`) === 2,
    );
  }
});
