import assert from 'node:assert/strict';
import { test } from 'node:test';
import { send, startProxyingEdge, startUpstream } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('the request id reaches the upstream and comes back on the response', async (t) => {
  const seen: (string | undefined)[] = [];
  const upstream = await startUpstream(t, (req, res) => {
    seen.push(req.headers['x-request-id'] as string | undefined);
    // An upstream that sets its own id must not override the edge's.
    res.writeHead(200, { 'x-request-id': 'upstream-made-this-up' });
    res.end('ok');
  });
  const { port } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`);

  const kept = await send(port, { headers: { 'x-request-id': 'client-chosen.id:42' } });
  assert.equal(seen.at(-1), 'client-chosen.id:42');
  assert.equal(kept.headers['x-request-id'], 'client-chosen.id:42');

  const replaced = await send(port, { headers: { 'x-request-id': 'bad id <script>' } });
  assert.match(String(replaced.headers['x-request-id']), UUID);
  assert.equal(seen.at(-1), replaced.headers['x-request-id'], 'the upstream got the same new id');

  const made = await send(port);
  assert.match(String(made.headers['x-request-id']), UUID);
  assert.equal(seen.at(-1), made.headers['x-request-id']);
});
