/**
 * The lingering close through the whole edge: the proxy's 413 and
 * Fastify's own (a body refused on `/_edge/`, where Fastify closes the
 * connection too) reach a client still streaming its body intact.
 */
import { test } from 'node:test';
import { assertWhole413, post, rawRequest } from '../proxy/raw-client.ts';
import { startProxyingEdge } from './helpers.ts';

const BODY = 20 * 1024 * 1024;
const ROUNDS = 20;

for (const [path, code] of [
  ['/upload', 'body_too_large'],
  ['/_edge/healthz', 'payload_too_large'],
] as const) {
  test(`${path}: a 20 MiB body streamed at once gets the whole 413 (${ROUNDS} rounds)`, async (t) => {
    const { port } = await startProxyingEdge(t, 'http://127.0.0.1:1', { maxBodyBytes: 1000 });
    const body = Buffer.alloc(BODY, 0x61);
    for (let round = 0; round < ROUNDS; round++) {
      const outcome = await rawRequest(port, post(BODY, path), (socket) => socket.write(body));
      assertWhole413(outcome, code);
    }
  });
}
