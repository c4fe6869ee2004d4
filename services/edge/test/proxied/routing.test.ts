import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TABLE_CSS } from '../helpers.ts';
import { proxiedLines, readBody, send, startProxyingEdge, startUpstream } from './helpers.ts';

test('the edge routes like nginx: /static/ and /_edge/ itself, everything else upstream', async (t) => {
  const upstream = await startUpstream(t, async (req, res) => {
    const body = await readBody(req);
    res.writeHead(200, { 'content-type': 'text/plain', server: 'upstream/1.2.3' });
    res.end(`upstream saw ${req.method} ${req.url} with ${body.length} bytes`);
  });
  const { port, lines } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`);

  await t.test('GET and POST outside the owned prefixes are proxied, bodies included', async () => {
    const got = await send(port, { path: '/api/items?limit=2' });
    assert.equal(got.status, 200);
    assert.equal(got.text, 'upstream saw GET /api/items?limit=2 with 0 bytes');
    assert.equal(got.headers.server, undefined, 'the upstream’s Server (and version) is dropped');
    const posted = await send(port, { method: 'POST', path: '/form', body: ['ab', 'cde'] });
    assert.equal(posted.text, 'upstream saw POST /form with 5 bytes');
  });

  await t.test('static files are the edge’s, never proxied', async () => {
    const before = upstream.seen.length;
    assert.equal((await send(port, { path: `/static/${TABLE_CSS}` })).status, 200);
    assert.equal((await send(port, { path: '/static/robots.txt' })).status, 200);
    assert.equal((await send(port, { path: '/static/missing.css' })).status, 404);
    const post = await send(port, { method: 'POST', path: '/static/robots.txt', body: 'x' });
    assert.equal(post.status, 405, 'a POST to /static/ is refused, not proxied');
    assert.equal((await send(port, { path: '/_edge/healthz' })).status, 200);
    assert.equal((await send(port, { path: '/_edge/nope' })).status, 404);
    assert.deepEqual(upstream.seen.slice(before), []);
  });

  await t.test('the access log line names the upstream address, status and time', async () => {
    await send(port, { path: '/logged', headers: { 'x-request-id': 'logged-request-1' } });
    // The line is written on 'finish', which may come a tick after the client has it all.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = proxiedLines(lines).find((l) => l.reqId === 'logged-request-1');
    assert.ok(line, 'a proxied access-log line');
    assert.equal(line.upstream, `127.0.0.1:${upstream.port}`);
    assert.equal(line.upstreamStatus, 200);
    assert.equal(line.status, 200);
    assert.equal(typeof line.upstreamMs, 'number');
    assert.ok(
      (line.upstreamMs as number) >= 0 && (line.upstreamMs as number) <= (line.ms as number),
    );
    assert.ok((line.bytes as number) > 0);
    const staticLine = lines.find((l) => l.path === '/static/robots.txt');
    assert.ok(staticLine && !('upstream' in staticLine), 'static lines have no upstream fields');
  });
});
