/**
 * EDGE_ACME_CHALLENGE=tls-alpn-01 in a worker (RFC 8737): while a name is
 * being validated, a client that asks for ALPN `acme-tls/1` with that name
 * (the CA) gets the challenge certificate the primary made, and the
 * connection ends after the handshake; every other client is served as
 * usual. Node picks the protocol (ALPNCallback) before the certificate
 * (SNICallback), both with the socket as `this`, so the first marks the
 * socket and the second looks the mark up.
 */
import type { SecureContext, TLSSocket } from 'node:tls';

export const ACME_TLS_ALPN = 'acme-tls/1';

export class AlpnChallenges {
  readonly #contexts = new Map<string, SecureContext>();
  readonly #asking = new WeakMap<TLSSocket, SecureContext>();

  /** The certificate for `name` from now on, or none (null). */
  set(name: string, pair: { cert: string; key: string } | null): void {
    const key = name.toLowerCase();
    if (pair === null) {
      this.#contexts.delete(key);
      return;
    }
    const { createSecureContext } = process.getBuiltinModule('node:tls');
    this.#contexts.set(key, createSecureContext({ cert: pair.cert, key: pair.key }));
  }

  /**
   * The server's ALPN choice: `acme-tls/1` for a name under validation,
   * else h2, then http/1.1, as the listener's ALPN list would choose.
   */
  select(socket: TLSSocket, servername: string, protocols: string[]): string | undefined {
    if (protocols.includes(ACME_TLS_ALPN)) {
      const context = this.#contexts.get(servername.toLowerCase());
      if (context === undefined) return undefined;
      this.#asking.set(socket, context);
      return ACME_TLS_ALPN;
    }
    if (protocols.includes('h2')) return 'h2';
    if (protocols.includes('http/1.1')) return 'http/1.1';
    return undefined;
  }

  /** The challenge context when `socket` asked for `acme-tls/1`. */
  contextFor(socket: TLSSocket): SecureContext | undefined {
    return this.#asking.get(socket);
  }
}
