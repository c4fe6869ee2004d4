/**
 * The access line of a proxied request whose client left first: status
 * 499, nginx's "client closed request", and a line at all (a plain-HTTP
 * client that leaves mid-response used to get none). A response the edge
 * cut itself, because the upstream failed mid-body, keeps the status it sent.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { test } from 'node:test';
import { proxiedLines, send, startProxyingEdge, startUpstream, until } from './helpers.ts';

/** A GET whose response has begun; errors (a cut) are the test's to look at, not thrown. */
async function started(
  port: number,
  path: string,
): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  const req = request({ host: '127.0.0.1', port, path, agent: false });
  req.on('error', () => {});
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.on('error', () => {});
  return { req, res };
}

test('a client gone mid-response is logged 499; a complete answer 200; a cut one its status', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (req.url === '/whole') {
      res.end('all of it');
      return;
    }
    res.write('part of a long answer');
    // The upstream's own failure: its connection cut mid-body.
    if (req.url === '/cut') setTimeout(() => res.socket?.destroy(), 50);
  });
  const { port, lines } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`);
  const line = (path: string) => proxiedLines(lines).find((l) => l.path === path);

  const whole = await send(port, { path: '/whole' });
  assert.equal(whole.status, 200);
  await until(() => line('/whole') !== undefined);
  assert.equal(line('/whole')?.status, 200);

  const leaving = await started(port, '/leaving');
  await once(leaving.res, 'data');
  leaving.req.destroy();
  await until(() => line('/leaving') !== undefined);
  assert.equal(line('/leaving')?.status, 499);

  (await started(port, '/cut')).res.resume();
  await until(() => line('/cut') !== undefined);
  assert.equal(line('/cut')?.status, 200);
});
