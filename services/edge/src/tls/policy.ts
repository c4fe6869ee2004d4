/**
 * The TLS and HTTP/2 policy, named in one place (README.md, "Policy").
 * TLS: Mozilla's "intermediate" configuration, restricted to ECDHE and AEAD
 * suites (https://ssl-config.mozilla.org/guidelines/5.7.json), TLS 1.2 and
 * 1.3 only, no renegotiation (a client-initiated renegotiation is a cheap
 * CPU-exhaustion lever and nothing here needs it).
 */
import { constants } from 'node:crypto';
import type { SecureServerOptions } from 'node:http2';
import type { SecureContextOptions } from 'node:tls';

// TLS 1.3 suites are listed too: `ciphers` sets both lists in Node.
const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** What every secure context (the default one and each SNI one) is built with. */
export const TLS_POLICY: SecureContextOptions = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: CIPHERS,
  // Mozilla's advice: every suite above is strong, so let the client pick
  // (a phone without AES hardware prefers ChaCha20).
  honorCipherOrder: false,
  secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
};

/**
 * HTTP/2 limits. Node's defaults are kept where they are already tight and
 * written out so they are visible; the ones changed say why.
 */
export const H2_LIMITS = {
  settings: {
    // nginx's `http2_max_concurrent_streams` is 128; Node's default is unbounded (2^32-1).
    maxConcurrentStreams: 128,
    // 32 KiB of request header fields, as nginx's `large_client_header_buffers 4 8k`.
    maxHeaderListSize: 32 * 1024,
  },
  // Sessions that send this many invalid frames (a settings or ping flood,
  // frames on closed streams) get GOAWAY (Node's default, 1000).
  maxSessionInvalidFrames: 1000,
  // Streams refused (over maxConcurrentStreams) before the session is cut
  // (Node's default, 100): a client that keeps opening past the limit.
  maxSessionRejectedStreams: 100,
  // HTTP/2 rapid reset (CVE-2023-44487): nghttp2 allows a burst of this many
  // RST_STREAMs, refilled at this rate per second, then sends GOAWAY.
  // Node's defaults (1000 and 33) written out.
  streamResetBurst: 1000,
  streamResetRate: 33,
  // Unanswered PINGs this side allows, and entries per SETTINGS frame (Node's defaults).
  maxOutstandingPings: 10,
  maxSettings: 32,
  // Per-session memory for nghttp2's buffers, in MiB (Node's default, 10).
  maxSessionMemory: 10,
  // A TLS client that negotiated no ALPN and no HTTP/1 fallback would match it: closed after this.
  unknownProtocolTimeout: 10_000,
} satisfies SecureServerOptions & { streamResetBurst: number; streamResetRate: number };
