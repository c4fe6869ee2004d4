/**
 * The worker's HTTPS listener: one `http2.createSecureServer` with ALPN
 * `h2` and `http/1.1` (allowHTTP1), whose requests go through the same
 * routing as the plain port's (edge.ts). It starts with no certificate and
 * takes its material from the primary (messages.ts): `apply` swaps the
 * default context (`setSecureContext`, for clients that send no SNI, such
 * as those naming an IP address) and the SNI map in one step, so a new
 * handshake sees the new set while open connections keep theirs; no
 * connection is dropped and no worker restarts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  Http2SecureServer,
  Http2ServerRequest,
  Http2ServerResponse,
  ServerHttp2Session,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext, TLSSocket } from 'node:tls';
import { AlpnChallenges } from './alpn-challenge.ts';
import type { CertificateStatus, TlsMaterialMessage } from './messages.ts';
import { H2_LIMITS, TLS_POLICY } from './policy.ts';
import { rememberVersion, transportOf } from './transport.ts';

/** What the listener needs from the edge: its routing and the server-side timeouts. */
export interface ListenerHooks {
  route(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void;
  shouldUpgrade(req: IncomingMessage): boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** EDGE_ACME_CHALLENGE=tls-alpn-01: answer `acme-tls/1` handshakes (alpn-challenge.ts). */
  acmeTlsAlpn?: boolean;
}

/** Handshakes and requests by protocol, for `/_edge/metrics` (plain data). */
export interface TlsCounters {
  handshakeFailures: number;
  /**
   * h2 sessions the edge ended on a protocol error: a rapid-reset flood past
   * streamResetBurst, too many invalid frames or refused streams (policy.ts).
   */
  h2SessionErrors: number;
  /** `h1 TLSv1.3`, `h2 TLSv1.2`…: requests on this listener by protocol and TLS version. */
  requests: Record<string, number>;
  /** The primary's word on the certificates (expiry per name, ACME renewals and failures). */
  certificates: CertificateStatus;
}

export class TlsListener {
  readonly server: Http2SecureServer;
  readonly counters: TlsCounters = {
    handshakeFailures: 0,
    h2SessionErrors: 0,
    requests: {},
    certificates: { expires: {}, renewals: 0, failures: 0 },
  };
  /** Settles once the first material is applied: the listener may then listen. */
  readonly ready: Promise<void>;
  /** No certificate yet (ACME before its first): every handshake fails. */
  pending = true;
  /** EDGE_TLS_CERTS=acme's open HTTP-01 tokens and their key authorizations (challenge-answer.ts). */
  readonly challenges = new Map<string, string>();
  /** EDGE_ACME_CHALLENGE=tls-alpn-01's certificates by name, null without that setting. */
  readonly #alpn: AlpnChallenges | null;
  #markReady: () => void = () => {};
  #exact = new Map<string, SecureContext>();
  #wildcard = new Map<string, SecureContext>();
  #ticketKeys: Buffer | null = null;
  /** Stapled OCSP responses by the leaf's DER (base64), as Node's OCSPRequest event names it. */
  #ocsp = new Map<string, Buffer>();
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<ServerHttp2Session>();

  constructor(hooks: ListenerHooks) {
    this.ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
    const { createSecureServer } = process.getBuiltinModule('node:http2');
    const alpn = hooks.acmeTlsAlpn ? new AlpnChallenges() : null;
    this.#alpn = alpn;
    const listener = this;
    const server = createSecureServer({
      ...TLS_POLICY,
      ...H2_LIMITS,
      allowHTTP1: true,
      // Node calls both with the socket as `this` (alpn-challenge.ts).
      SNICallback(
        this: TLSSocket,
        name: string,
        done: (e: Error | null, c?: SecureContext) => void,
      ) {
        done(null, alpn?.contextFor(this) ?? listener.contextFor(name));
      },
      ...(alpn !== null && {
        ALPNCallback(
          this: TLSSocket,
          { servername, protocols }: { servername: string; protocols: string[] },
        ) {
          return alpn.select(this, servername, protocols);
        },
      }),
      // The HTTP/1.1 side's slow-client limits, as on the plain port (edge.ts).
      http1Options: {
        headersTimeout: hooks.headersTimeoutMs,
        requestTimeout: hooks.requestTimeoutMs,
        keepAliveTimeout: hooks.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, hooks.headersTimeoutMs),
      },
    } as Parameters<typeof createSecureServer>[0]);
    const route = (req: Http2ServerRequest, res: Http2ServerResponse, expectsContinue: boolean) => {
      const key = transportOf(req as unknown as IncomingMessage)?.key ?? 'unknown';
      this.counters.requests[key] = (this.counters.requests[key] ?? 0) + 1;
      // The compatibility API is node:http's shape for every member the edge reads (proxy/h2.ts).
      hooks.route(
        req as unknown as IncomingMessage,
        res as unknown as ServerResponse,
        expectsContinue,
      );
    };
    server.on('request', (req, res) => route(req, res, false));
    server.on('checkContinue', (req, res) => route(req, res, true));
    // The HTTP/1.1 side's WebSocket upgrades, as the plain server's.
    (
      server as unknown as { shouldUpgradeCallback: (req: IncomingMessage) => boolean }
    ).shouldUpgradeCallback = hooks.shouldUpgrade;
    server.on('upgrade', hooks.upgrade);
    // Asked only by clients that send status_request; a leaf without a
    // staple gets none, and the handshake goes on.
    server.on('OCSPRequest', (certificate: Buffer, _issuer: Buffer, done) => {
      done(null, this.#ocsp.get(certificate.toString('base64')) ?? null);
    });
    // The CA's `acme-tls/1` connection: the handshake was the whole answer.
    server.on('unknownProtocol', (socket: TLSSocket) => socket.destroy());
    server.on('tlsClientError', () => {
      this.counters.handshakeFailures++;
    });
    // Node destroys the session itself; this only counts it.
    server.on('sessionError', () => {
      this.counters.h2SessionErrors++;
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      rememberVersion(socket);
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('session', (session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
      // An idle h2 session is closed as an idle keep-alive connection is: GOAWAY, then close.
      session.setTimeout(hooks.keepAliveTimeoutMs, () => session.close());
    });
    // Node's cluster hands every worker's TLS server the ticket keys of the
    // first worker that listened on the port (net.Server's _setServerData,
    // during listen), which are stale after a rotation: a replacement
    // worker puts the primary's current keys back once it listens.
    server.on('listening', () => {
      if (this.#ticketKeys !== null) server.setTicketKeys(this.#ticketKeys);
    });
    this.server = server;
  }

  /** EDGE_ACME_CHALLENGE=tls-alpn-01: the challenge certificate for `name`, or none. */
  alpnChallenge(name: string, pair: { cert: string; key: string } | null): void {
    this.#alpn?.set(name, pair);
  }

  /** Swaps in a new certificate set and ticket keys for new handshakes. */
  apply(message: TlsMaterialMessage): void {
    const { createSecureContext } = process.getBuiltinModule('node:tls');
    const ticketKeys = Buffer.from(message.ticketKeys, 'hex');
    const exact = new Map<string, SecureContext>();
    const wildcard = new Map<string, SecureContext>();
    const ocsp = new Map<string, Buffer>();
    for (const cert of message.certificates) {
      if (cert.ocsp !== undefined) ocsp.set(leafDer(cert.cert), Buffer.from(cert.ocsp, 'base64'));
      const context = createSecureContext({
        ...TLS_POLICY,
        cert: cert.cert,
        key: cert.key,
        ticketKeys,
      });
      for (const name of cert.names) {
        const lower = name.toLowerCase();
        const wild = lower.startsWith('*.');
        const key = wild ? lower.slice(2) : lower;
        const map = wild ? wildcard : exact;
        // The first pair naming a host wins, as the order of EDGE_TLS_FILES says.
        if (!map.has(key)) map.set(key, context);
      }
    }
    const first = message.certificates[0];
    // Tickets are sealed with the default context's keys whatever SNI picked
    // (OpenSSL keeps the first context as the session's), so setting them
    // here is what makes every worker accept every other's tickets. With no
    // certificate yet the default context has none and handshakes fail.
    if (first !== undefined) {
      this.server.setSecureContext({ ...TLS_POLICY, cert: first.cert, key: first.key, ticketKeys });
    }
    this.pending = first === undefined;
    this.counters.certificates = message.status;
    this.#exact = exact;
    this.#wildcard = wildcard;
    this.#ticketKeys = ticketKeys;
    this.#ocsp = ocsp;
    this.#markReady();
  }

  /** The context for an SNI name: exact, then a wildcard one label up; none: the default. */
  contextFor(servername: string): SecureContext | undefined {
    const name = servername.toLowerCase();
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    return dot > 0 ? this.#wildcard.get(name.slice(dot + 1)) : undefined;
  }

  /** For the shutdown sweep: idle HTTP/1.1 connections close (h2 sessions got GOAWAY on close()). */
  closeIdleConnections(): void {
    // Node's allowHTTP1 servers have it (lib/internal/http2/core.js); @types/node does not say so.
    (this.server as unknown as { closeIdleConnections(): void }).closeIdleConnections();
  }

  /** The grace period is over: cut every connection, h2 sessions included. */
  closeAllConnections(): void {
    for (const session of this.#sessions) session.destroy();
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Stops accepting, sends GOAWAY to every session; settles once every connection closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }
}

/** The first PEM block's body: the leaf's DER in base64, without loading node:crypto's X509 here. */
function leafDer(chainPem: string): string {
  const body = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(chainPem)?.[1];
  return (body ?? '').replace(/\s/g, '');
}
