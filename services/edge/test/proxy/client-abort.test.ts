import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { test } from 'node:test';
import { startEdge, startUpstream, upstreamUrl } from './helpers.ts';

test('a client that goes away mid-response makes the edge abort the upstream request', async (t) => {
  let upstreamClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    upstreamClosed = resolve;
  });
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const timer = setInterval(() => res.write(Buffer.alloc(1024)), 10);
    res.on('close', () => {
      clearInterval(timer);
      upstreamClosed();
    });
  });
  const edge = await startEdge(t, { upstream: upstreamUrl(upstream.port, '127.0.0.1') });
  const req = request({ host: '127.0.0.1', port: edge.port, path: '/stream', agent: false });
  req.on('error', () => {});
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  await once(res, 'data');
  req.destroy();
  // Without the abort the upstream would keep streaming to nobody forever.
  await closed;
  assert.equal(res.statusCode, 200);
});
