/**
 * Trailers the upstream must not send (RFC 9110 §6.5.1) cost no request:
 * a `Connection: close` trailer makes undici's parser refuse the next
 * answer on that connection, so the edge gives the address fresh ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { send, startEdge, startUpstream, upstreamUrl } from './helpers.ts';

test('a Connection trailer from the upstream does not fail the next request (no 502)', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    if (req.url === '/closing-trailer') {
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'connection' });
      res.write('first');
      res.addTrailers({ connection: 'close' });
      res.end();
      return;
    }
    res.end(`answer to ${req.url}`);
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  assert.equal((await send(edge.port, { path: '/closing-trailer' })).text, 'first');
  for (let i = 0; i < 3; i++) {
    const next = await send(edge.port, { path: `/next-${i}` });
    assert.equal(next.status, 200, next.text);
    assert.equal(next.text, `answer to /next-${i}`);
  }
});
