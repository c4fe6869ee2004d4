/**
 * The edge's HTTPS settings: the listener, where its certificates come
 * from (a local CA, files, or ACME) and the plain port's redirect. Part of
 * SETTINGS (settings.ts), which the config, the README's table and the
 * tests read; kept apart only for the length of that file.
 */
import {
  boolean,
  integer,
  milliseconds,
  oneOf,
  setting,
  text,
} from '@stack/shared/setting-entries';

export const TLS_SETTINGS = {
  tlsPort: setting({
    env: 'EDGE_TLS_PORT',
    format: integer(0, 65535, '0: no TLS listener'),
    default: 0,
    doc: 'the HTTPS port (ALPN `h2` and `http/1.1`), beside `EDGE_PORT`; `0`: plain HTTP only',
  }),
  tlsCerts: setting({
    env: 'EDGE_TLS_CERTS',
    format: oneOf(['internal', 'files', 'acme'] as const),
    default: 'internal',
    doc: '`internal`: a local CA in `EDGE_TLS_DIR` signs a leaf for `EDGE_TLS_NAMES`; `files`: the pairs of `EDGE_TLS_FILES`; `acme`: obtained and renewed from `EDGE_ACME_DIRECTORY_URL` for `EDGE_TLS_NAMES`',
  }),
  tlsDir: setting({
    env: 'EDGE_TLS_DIR',
    format: text('a directory path', { minLength: 1 }),
    default: '/var/lib/edge-tls',
    doc: "`internal`: where `root.crt` and `root.key` (0600) are kept; `acme`: the account key and certificates, under `acme/`; the primary's to write",
  }),
  tlsNames: setting({
    env: 'EDGE_TLS_NAMES',
    format: text('comma-separated DNS names and IP addresses', { minLength: 1 }),
    default: 'localhost,127.0.0.1,::1',
    doc: "`internal`: the leaf certificate's names (SANs); `acme`: the DNS names to certify (each must reach this edge on port 80)",
  }),
  acmeDirectoryUrl: setting({
    env: 'EDGE_ACME_DIRECTORY_URL',
    format: text('an https:// URL', { minLength: 1 }),
    default: 'https://acme-v02.api.letsencrypt.org/directory',
    doc: "`acme`: the ACME server's directory (Let's Encrypt's; try `https://acme-staging-v02.api.letsencrypt.org/directory` first)",
  }),
  acmeEmail: setting({
    env: 'EDGE_ACME_EMAIL',
    format: text('an email address'),
    default: '',
    doc: "`acme`: the account's contact (expiry warnings); empty: none",
  }),
  acmeCaFile: setting({
    env: 'EDGE_ACME_CA_FILE',
    format: text('a PEM file path'),
    default: '',
    doc: "`acme`: CA certificates (PEM) the ACME server's own HTTPS is verified against, for a private server; empty: the system's",
  }),
  acmeChallenge: setting({
    env: 'EDGE_ACME_CHALLENGE',
    format: oneOf(['http-01', 'tls-alpn-01'] as const),
    default: 'http-01',
    doc: '`acme`: how names are proved: `http-01` on the plain port (80 must reach the edge), `tls-alpn-01` on the HTTPS port (443 alone is enough)',
  }),
  acmePeers: setting({
    env: 'EDGE_ACME_PEERS',
    format: text('comma-separated host:port entries'),
    default: '',
    doc: "`acme`: the other edges' plain ports (a name resolving to each: Swarm's `tasks.edge:8080`), asked for an HTTP-01 token this edge does not hold, so the node the CA reaches need not be the one ordering",
  }),
  acmeRetryMs: setting({
    env: 'EDGE_ACME_RETRY_MS',
    format: milliseconds(100, 3_600_000),
    default: 60_000,
    doc: '`acme`: the first retry after a failed order; doubled after each failure, up to an hour',
  }),
  tlsFiles: setting({
    env: 'EDGE_TLS_FILES',
    format: text('comma-separated cert.pem:key.pem pairs'),
    default: '',
    doc: '`files`: certificate chain and key files, chosen by SNI from their names; reloaded when they change',
  }),
  tlsPollMs: setting({
    env: 'EDGE_TLS_POLL_MS',
    format: milliseconds(50, 3_600_000),
    default: 2000,
    doc: '`files`: `stat` of each pair, for mounts that deliver no inotify events (secrets)',
  }),
  tlsOcsp: setting({
    env: 'EDGE_TLS_OCSP',
    format: oneOf(['on', 'off'] as const),
    default: 'on',
    doc: 'OCSP stapling for a leaf that names an http responder and whose chain holds its issuer (`files`)',
  }),
  tlsPublicPort: setting({
    env: 'EDGE_TLS_PUBLIC_PORT',
    format: integer(0, 65535, '0: EDGE_TLS_PORT'),
    default: 0,
    doc: "the HTTPS port clients reach (a published port), for `EDGE_HTTP_REDIRECT`'s `Location`",
  }),
  httpRedirect: setting({
    env: 'EDGE_HTTP_REDIRECT',
    format: boolean(),
    default: false,
    doc: 'plain-HTTP requests get 308 to `https://`, except `/_edge/healthz`; needs `EDGE_TLS_PORT`',
  }),
  hstsMaxAgeS: setting({
    env: 'EDGE_HSTS_MAX_AGE_S',
    format: integer(0, 63_072_000, 'seconds; 0: off'),
    default: 0,
    doc: '`Strict-Transport-Security: max-age=` on HTTPS answers; off for local stacks (a browser remembers it)',
  }),
};
