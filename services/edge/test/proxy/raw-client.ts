/**
 * Raw TCP clients, for requests whose bytes matter. `rawRequest` (the
 * lingering-close tests) writes a request head and whatever body it is
 * given without waiting for anything, as a client streaming an upload does,
 * and reports every byte the edge sent back and the socket's error, if any.
 * `openRaw` (the upgrade tests) keeps a connection the test writes to and
 * waits on, for the bytes after a response head (a tunnel).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { TestContext } from 'node:test';

export interface Outcome {
  /** Everything the edge sent, as latin1 text. */
  text: string;
  /** The client socket's error code, if any (ECONNRESET, EPIPE). */
  error: string;
}

/**
 * Writes `head`, then calls `feed` with the socket without waiting for
 * anything; resolves once the socket closed. The client half-closes once
 * the edge did (after its queued writes), as an HTTP client that got its
 * answer would.
 */
export function rawRequest(
  port: number,
  head: string,
  feed: (socket: Socket) => void,
): Promise<Outcome> {
  return new Promise((resolve) => {
    // Half-open allowed: the edge's FIN must not end the client's sending.
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
    socket.write(head);
    feed(socket);
  });
}

/** A POST head declaring `length` bytes of body, or chunked framing (a JSON body, as an API client's). */
export function post(length: number | 'chunked', path = '/upload'): string {
  const framing = length === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${length}`;
  return `POST ${path} HTTP/1.1\r\nhost: edge.test\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`;
}

/** The whole 413: head, `Connection: close`, a body of exactly its Content-Length, `code`. */
export function assertWhole413(outcome: Outcome, code = 'body_too_large'): void {
  assert.equal(outcome.error, '', 'no reset or broken pipe');
  const split = outcome.text.indexOf('\r\n\r\n');
  assert.ok(split > 0, 'a complete head');
  const head = outcome.text.slice(0, split).toLowerCase();
  assert.match(head, /^http\/1\.1 413 /);
  assert.match(head, /\r\nconnection: close(\r\n|$)/);
  const length = Number(/\r\ncontent-length: (\d+)/.exec(head)?.[1]);
  const body = outcome.text.slice(split + 4);
  assert.equal(body.length, length, 'the whole body');
  assert.equal(JSON.parse(body).code, code);
}

/** A raw connection the test writes exact bytes to and waits on what came back. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far, as latin1 text. */
  text(): string;
  /** Resolves with the text once `done(text)` holds; rejects after `ms` or on close before. */
  until(done: (text: string) => boolean, ms?: number): Promise<string>;
}

export function openRaw(t: TestContext, port: number): RawConnection {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  t.after(() => socket.destroy());
  let text = '';
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    wake();
  });
  socket.on('close', wake);
  return {
    socket,
    text: () => text,
    until: (done, ms = 5000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no match in ${ms} ms: ${text}`)), ms);
        const finish = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(text);
        };
        const check = () => {
          if (done(text)) finish();
          else if (socket.destroyed) finish(new Error(`closed before a match: ${text}`));
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Whether `text` holds one whole response: its head and `Content-Length` bytes of body. */
export function wholeResponse(text: string): boolean {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split))?.[1];
  return length !== undefined && text.length - split - 4 >= Number(length);
}
