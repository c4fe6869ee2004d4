/**
 * What the primary sends the workers over cluster IPC about TLS: plain
 * data (PEM strings, the ticket keys as hex), so a worker never loads the
 * certificate code (README.md, "Memory").
 */

/** One certificate a worker serves: the chain (leaf first), its key, the names it covers. */
export interface CertificateMaterial {
  /** PEM, the leaf first, then any intermediates. */
  readonly cert: string;
  /** PEM (PKCS#8 or the key's own format). */
  readonly key: string;
  /** The leaf's DNS names and IP addresses (from its SANs), for SNI. */
  readonly names: readonly string[];
  /** A checked OCSP response for the leaf (DER, base64), stapled to handshakes that ask (stapling.ts). */
  readonly ocsp?: string;
}

/** What `/_edge/healthz` and `/_edge/metrics` say about the certificates (the primary's view). */
export interface CertificateStatus {
  /** Unix seconds at which each served name's certificate expires. */
  expires: Record<string, number>;
  /** Certificates obtained again before expiry (ACME). */
  renewals: number;
  /** Orders that failed (ACME). */
  failures: number;
}

/** Everything a worker needs to serve TLS; sent whole on every change. */
export interface TlsMaterialMessage {
  type: 'edge:tls';
  /**
   * The first is served to clients that send no SNI (or an unknown name).
   * Empty while an ACME source has none yet: handshakes fail, the plain port serves.
   */
  certificates: CertificateMaterial[];
  /** 48 bytes, hex: the session ticket keys every worker shares. */
  ticketKeys: string;
  status: CertificateStatus;
}

/** A counter moved without a new certificate (a failed order): only the status. */
export interface TlsStatusMessage {
  type: 'edge:tls-status';
  status: CertificateStatus;
}

/**
 * An HTTP-01 token to answer on the plain port (`keyAuthorization`), or to
 * forget (null); for TLS-ALPN-01 (`alpn`), the certificate to present for
 * `name` to a client that asks for ALPN `acme-tls/1` (RFC 8737).
 */
export interface AcmeChallengeMessage {
  type: 'edge:acme-challenge';
  token: string;
  keyAuthorization: string | null;
  alpn?: { name: string; cert: string; key: string };
}

/** A worker answers the token from now on (or no longer). */
export interface AcmeChallengeAckMessage {
  type: 'edge:acme-challenge-ack';
  token: string;
}

/** A worker asks for the current material once it is ready to apply it. */
export interface TlsRequestMessage {
  type: 'edge:tls-request';
}

export function isTlsMessage<T extends { type: string }>(
  message: unknown,
  type: T['type'],
): message is T {
  return typeof message === 'object' && message !== null && (message as T).type === type;
}
