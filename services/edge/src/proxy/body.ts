/**
 * The request body as undici reads it: a stream in front of the client's
 * request that (1) counts bytes against the limit, (2) pulls nothing from the
 * client until undici writes the body to a connected socket, so a request
 * whose connection failed can go to another address with its body intact,
 * and (3) can be destroyed by undici on an upstream error without taking the
 * client's socket with it (undici destroys the body it was given).
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export class BodyTooLargeError extends Error {
  constructor() {
    super('request body exceeds the limit');
    this.name = 'BodyTooLargeError';
  }
}

const kBody = Symbol('edge.body');

interface Source extends IncomingMessage {
  [kBody]?: RequestBody | null;
}

export class RequestBody extends Readable {
  readonly #source: Source;
  readonly #limit: number;
  #received = 0;
  /** True once a byte may have been read from the client: the body cannot be sent again. */
  started = false;
  tooLarge = false;

  constructor(source: IncomingMessage, limit: number) {
    super();
    this.#source = source;
    this.#limit = limit;
  }

  override _read(): void {
    const source = this.#source;
    if (!this.started) {
      this.started = true;
      source[kBody] = this;
      source.on('data', onData);
      source.on('end', onEnd);
      source.on('close', onClose);
      source.on('error', onError);
    }
    source.resume();
  }

  /** @returns false when the consumer wants no more for now. */
  accept(chunk: Buffer): boolean {
    this.#received += chunk.length;
    if (this.#limit > 0 && this.#received > this.#limit) {
      this.tooLarge = true;
      this.destroy(new BodyTooLargeError());
      return false;
    }
    return this.push(chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const source = this.#source;
    if (source[kBody] === this) {
      source[kBody] = null;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('close', onClose);
      source.off('error', onError);
      source.pause();
    }
    callback(error);
  }
}

// Shared listeners (the body is found through the source) rather than a
// closure per request.
function onData(this: Source, chunk: Buffer): void {
  const body = this[kBody];
  if (body && !body.accept(chunk)) this.pause();
}

function onEnd(this: Source): void {
  this[kBody]?.push(null);
}

function onClose(this: Source): void {
  const body = this[kBody];
  if (body && !this.complete) body.destroy(new Error('client closed the request body'));
}

function onError(this: Source, error: Error): void {
  this[kBody]?.destroy(error);
}
