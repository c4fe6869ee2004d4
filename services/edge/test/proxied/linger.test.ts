/**
 * The lingering close through the whole edge: the proxy's 413 and
 * Fastify's own (a body refused on `/_edge/`, where Fastify closes the
 * connection too) reach a client still streaming its body intact.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { startProxyingEdge } from './helpers.ts';

const BODY = 20 * 1024 * 1024;
const ROUNDS = 20;

/** A raw client writing a 20 MiB body at once; resolves with what it read and its error. */
function blast(port: number, path: string): Promise<{ text: string; error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    let error = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('end', () => socket.end());
    socket.on('close', () => resolve({ text, error }));
    socket.write(
      `POST ${path} HTTP/1.1\r\nhost: edge.test\r\ncontent-type: application/json\r\n` +
        `content-length: ${BODY}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(BODY, 0x61));
  });
}

for (const [path, code] of [
  ['/upload', 'body_too_large'],
  ['/_edge/healthz', 'payload_too_large'],
] as const) {
  test(`${path}: a 20 MiB body streamed at once gets the whole 413 (${ROUNDS} rounds)`, async (t) => {
    const { port } = await startProxyingEdge(t, 'http://127.0.0.1:1', { maxBodyBytes: 1000 });
    for (let round = 0; round < ROUNDS; round++) {
      const { text, error } = await blast(port, path);
      assert.equal(error, '', 'no reset or broken pipe');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split).toLowerCase();
      assert.match(head, /^http\/1\.1 413 /);
      assert.match(head, /\r\nconnection: close(\r\n|$)/);
      assert.equal(JSON.parse(text.slice(split + 4)).code, code);
    }
  });
}
