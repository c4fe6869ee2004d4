/**
 * The edge's settings as the processes use them: the entries of
 * settings.ts read from the environment once at start (each checked
 * against what it accepts), then the checks no single entry can make,
 * returned as a frozen object. A bad setting throws a {@link ConfigError}
 * whose message is the single line `main.ts` prints before exiting 1 (the
 * root README, "Contracts between the containers"). The machinery is
 * `@stack/shared`'s, the app's too.
 */
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
// Subpaths, not the package root: the primary loads this file, and it
// imports only what it needs (../README.md, "What each choice cost or bought").
import { entriesReader, type Values } from '@stack/shared/setting-entries';
import { addressListSetting, invalid } from '@stack/shared/settings';
import { SETTINGS } from './settings.ts';

export { ConfigError } from '@stack/shared/settings';
export type { LogLevel } from './settings.ts';

/** What the entries read: every setting, keyed as in settings.ts, defaults filled in. */
export type Settings = Values<typeof SETTINGS>;

/** The settings with the upstream a URL and the address lists parsed into their entries. */
export type Config = Omit<
  Settings,
  | 'upstream'
  | 'trustedProxies'
  | 'metricsAllow'
  | 'tlsNames'
  | 'tlsFiles'
  | 'uploadPaths'
  | 'acmePeers'
> & {
  /** Path prefixes, each `/…` without a trailing slash. */
  readonly uploadPaths: readonly string[];
  readonly upstream: URL;
  readonly trustedProxies: readonly string[];
  readonly metricsAllow: readonly string[];
  readonly tlsNames: readonly string[];
  readonly tlsFiles: readonly TlsFilePair[];
  /** EDGE_ACME_PEERS: names (or addresses) and plain ports of the other edges. */
  readonly acmePeers: readonly { readonly host: string; readonly port: number }[];
};

/** One `cert.pem:key.pem` entry of EDGE_TLS_FILES. */
export interface TlsFilePair {
  readonly cert: string;
  readonly key: string;
}

// A DNS name (a leading `*.` for a wildcard) as a certificate's SAN holds it.
const DNS_NAME =
  /^(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const readSettings = entriesReader(SETTINGS);

/**
 * Validates `env` and returns the settings. Empty values count as unset, so
 * `EDGE_PORT=` in a compose file means "the default".
 */
export function loadConfig(env: NodeJS.ProcessEnv): Readonly<Config> {
  const settings = readSettings(env);
  const staticRoot = resolve(settings.staticRoot);
  // A typo in the volume path would otherwise answer 404 forever: fail at start.
  if (!isDirectory(staticRoot)) {
    throw invalid('EDGE_STATIC_ROOT', `${staticRoot} is not a readable directory`);
  }
  for (const [name, value] of [
    ['EDGE_MEDIA_ROOT', settings.mediaRoot],
    ['EDGE_PROTECTED_ROOT', settings.protectedRoot],
  ] as const) {
    if (value !== '' && !isDirectory(resolve(value))) {
      throw invalid(name, `${resolve(value)} is not a readable directory`);
    }
  }
  // node:http refuses a headers timeout longer than the request timeout.
  if (settings.headersTimeoutMs > settings.requestTimeoutMs) {
    throw invalid(
      'EDGE_HEADERS_TIMEOUT_MS',
      `must not exceed EDGE_REQUEST_TIMEOUT_MS (${settings.requestTimeoutMs})`,
    );
  }
  const config = configFrom(settings);
  if (config.httpRedirect && config.tlsPort === 0) {
    throw invalid(
      'EDGE_HTTP_REDIRECT',
      'needs EDGE_TLS_PORT (there is no HTTPS port to send clients to)',
    );
  }
  if (config.tlsPort !== 0 && config.tlsPort === config.port) {
    throw invalid('EDGE_TLS_PORT', `must differ from EDGE_PORT (${config.port})`);
  }
  if (config.tlsPort !== 0 && config.tlsCerts === 'files' && config.tlsFiles.length === 0) {
    throw invalid(
      'EDGE_TLS_FILES',
      'must name at least one cert.pem:key.pem pair with EDGE_TLS_CERTS=files',
    );
  }
  if (config.tlsPort !== 0 && config.tlsCerts === 'acme') checkAcme(config);
  return config;
}

/** What an ACME server can certify over HTTP-01: public DNS names, from an https directory. */
function checkAcme(config: Readonly<Config>): void {
  for (const name of config.tlsNames) {
    if (isIP(name) !== 0 || name.startsWith('*.') || !name.includes('.')) {
      throw invalid(
        'EDGE_TLS_NAMES',
        `with EDGE_TLS_CERTS=acme, list the public DNS names to certify; ${JSON.stringify(name)} cannot be (no IP address, wildcard or single label)`,
      );
    }
  }
  let url: URL | undefined;
  try {
    url = new URL(config.acmeDirectoryUrl);
  } catch {}
  if (url?.protocol !== 'https:') {
    throw invalid(
      'EDGE_ACME_DIRECTORY_URL',
      `must be an https:// URL, not ${JSON.stringify(config.acmeDirectoryUrl)}`,
    );
  }
  if (config.acmeEmail !== '' && !/^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/.test(config.acmeEmail)) {
    throw invalid('EDGE_ACME_EMAIL', `${JSON.stringify(config.acmeEmail)} is not an email address`);
  }
}

/** Every setting at its default, as loadConfig returns them (the static root unchecked): for tests and the bench. */
export const DEFAULTS: Readonly<Config> = configFrom(readSettings({}));

function configFrom(settings: Settings): Readonly<Config> {
  const { host } = settings;
  if (isIP(host) === 0) {
    throw invalid('EDGE_HOST', `must be an IP address, not ${JSON.stringify(host)}`);
  }
  return Object.freeze({
    ...settings,
    staticRoot: resolve(settings.staticRoot),
    mediaRoot: settings.mediaRoot === '' ? '' : resolve(settings.mediaRoot),
    protectedRoot: settings.protectedRoot === '' ? '' : resolve(settings.protectedRoot),
    uploadPaths: uploadPaths(settings.uploadPaths),
    upstream: upstreamUrl(settings.upstream),
    // `@stack/shared`'s address-list grammar (frozen lists), the app's too.
    trustedProxies: addressListSetting('EDGE_TRUSTED_PROXIES', settings.trustedProxies),
    metricsAllow: addressListSetting('EDGE_METRICS_ALLOW', settings.metricsAllow),
    tlsNames: tlsNames(settings.tlsNames),
    tlsFiles: tlsFilePairs(settings.tlsFiles),
    acmePeers: acmePeers(settings.acmePeers),
  });
}

function uploadPaths(value: string): readonly string[] {
  const paths = value
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path !== '');
  for (const path of paths) {
    if (!/^\/[A-Za-z0-9._~!$&'()*+;=:@%/-]*$/.test(path)) {
      throw invalid('EDGE_UPLOAD_PATHS', `${JSON.stringify(path)} is not a path starting with /`);
    }
  }
  return Object.freeze(paths.map((path) => (path.length > 1 ? path.replace(/\/+$/, '') : path)));
}

/** `http://host:port` only: the proxy speaks plain HTTP/1.1 to the app replicas. */
function upstreamUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('EDGE_UPSTREAM', `must be an http:// URL, not ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' || url.hostname === '') {
    throw invalid('EDGE_UPSTREAM', `must be an http:// URL, not ${JSON.stringify(value)}`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '') {
    throw invalid('EDGE_UPSTREAM', 'must be scheme, host and port only (no path, query or user)');
  }
  return url;
}

function tlsNames(value: string): readonly string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (isIP(name) === 0 && !DNS_NAME.test(name)) {
      throw invalid(
        'EDGE_TLS_NAMES',
        `${JSON.stringify(name)} is neither a DNS name nor an IP address`,
      );
    }
  }
  if (names.length === 0) throw invalid('EDGE_TLS_NAMES', 'must name at least one host');
  return Object.freeze(names);
}

function acmePeers(value: string): Config['acmePeers'] {
  const peers: { host: string; port: number }[] = [];
  for (const entry of value.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(trimmed);
    const port = Number(match?.[2]);
    if (!match?.[1] || !(port > 0 && port < 65536)) {
      throw invalid('EDGE_ACME_PEERS', `${JSON.stringify(trimmed)} is not host:port`);
    }
    peers.push(Object.freeze({ host: match[1].replace(/^\[|\]$/g, ''), port }));
  }
  return Object.freeze(peers);
}

function tlsFilePairs(value: string): readonly TlsFilePair[] {
  const pairs: TlsFilePair[] = [];
  for (const entry of value.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const [cert, key, ...rest] = trimmed.split(':');
    if (!cert || !key || rest.length > 0) {
      throw invalid('EDGE_TLS_FILES', `${JSON.stringify(trimmed)} is not cert.pem:key.pem`);
    }
    pairs.push(Object.freeze({ cert: resolve(cert), key: resolve(key) }));
  }
  return Object.freeze(pairs);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
