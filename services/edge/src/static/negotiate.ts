/**
 * Which representation a client gets, by `Accept-Encoding` with q-values
 * (RFC 9110 §12.5.3): q=0 excludes, the highest q wins, br before gzip before
 * identity on ties, and identity when nothing acceptable is available (as
 * nginx's gzip_static does, rather than a 406).
 */
import { Negotiator } from '@fastify/accept-negotiator';
import { ENCODINGS, type Encoding } from './representation.ts';

type Choice = Encoding | 'identity';

/**
 * accept-negotiator memoises per header value; a bounded store keeps that
 * from becoming a memory leak fed by clients that send random values.
 */
class BoundedCache {
  readonly #map = new Map<string, string>();
  readonly #limit: number;
  constructor(limit: number) {
    this.#limit = limit;
  }
  has(key: string): boolean {
    return this.#map.has(key);
  }
  get(key: string): string | undefined {
    return this.#map.get(key);
  }
  set(key: string, value: string): this {
    if (this.#map.size >= this.#limit) this.#map.clear();
    this.#map.set(key, value);
    return this;
  }
}

const negotiators = new Map<string, Negotiator<Choice>>();

function negotiatorFor(available: readonly Encoding[]): Negotiator<Choice> {
  const key = available.join(',');
  let negotiator = negotiators.get(key);
  if (!negotiator) {
    negotiator = new Negotiator<Choice>({
      supportedValues: [...available, 'identity'],
      cache: new BoundedCache(512),
    });
    negotiators.set(key, negotiator);
  }
  return negotiator;
}

/** The encoding to serve among `available` (ordered as ENCODINGS), or undefined for identity. */
export function chooseEncoding(
  acceptEncoding: string | undefined,
  available: readonly Encoding[],
): Encoding | undefined {
  if (!acceptEncoding || available.length === 0) return undefined;
  // Codings are case-insensitive (RFC 9110 §8.4.1); the negotiator compares exactly.
  const choice = negotiatorFor(available).negotiate(acceptEncoding.toLowerCase());
  return choice === null || choice === 'identity' ? undefined : choice;
}

export { ENCODINGS };
