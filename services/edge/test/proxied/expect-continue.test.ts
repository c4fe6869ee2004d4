/**
 * `Expect: 100-continue` through the whole edge: the server's
 * 'checkContinue' goes to the same routing, so a body the proxy would
 * refuse is never invited, and the edge's own paths still answer.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { type TestContext, test } from 'node:test';
import { TABLE_CSS } from '../helpers.ts';
import { readBody, startProxyingEdge, startUpstream, until } from './helpers.ts';

/** A raw connection; `text` is everything the edge sent so far. */
function rawClient(t: TestContext, port: number) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  t.after(() => socket.destroy());
  const state = { socket, text: '' };
  socket.on('data', (chunk: Buffer) => {
    state.text += chunk.toString('latin1');
  });
  return state;
}

const head = (method: string, path: string, length: number) =>
  `${method} ${path} HTTP/1.1\r\nhost: edge.test\r\ncontent-length: ${length}\r\nexpect: 100-continue\r\n\r\n`;

test('a body over the limit gets 413 and no invitation; one within it gets 100, then the answer', async (t) => {
  const upstream = await startUpstream(t, async (req, res) => {
    res.end(`got ${(await readBody(req)).length}`);
  });
  const { port } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`, {
    maxBodyBytes: 1000,
  });
  const refused = rawClient(t, port);
  refused.socket.write(head('POST', '/upload', 5000));
  await until(() => refused.text.includes('body_too_large'));
  assert.match(refused.text, /^HTTP\/1\.1 413 /);
  assert.doesNotMatch(refused.text, /100 Continue/);

  const admitted = rawClient(t, port);
  admitted.socket.write(head('POST', '/upload', 5));
  await until(() => admitted.text.endsWith('\r\n\r\n'));
  assert.equal(admitted.text, 'HTTP/1.1 100 Continue\r\n\r\n');
  admitted.socket.write('hello');
  await until(() => admitted.text.endsWith('got 5'));
  assert.match(admitted.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  assert.deepEqual(upstream.seen, ['POST /upload']);
});

test('the edge’s own paths invite the body too, then answer as usual', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => res.end('never'));
  const { port } = await startProxyingEdge(t, `http://127.0.0.1:${upstream.port}`);
  const client = rawClient(t, port);
  client.socket.write(head('GET', `/static/${TABLE_CSS}`, 0));
  await until(() => client.text.includes('/* end */'));
  assert.match(client.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  assert.deepEqual(upstream.seen, []);
});
