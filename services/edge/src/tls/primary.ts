/**
 * The primary's side of TLS: it owns the certificate source (internal CA or
 * files; the certificate library is loaded here and nowhere else) and the
 * session ticket keys, and sends workers the whole material (messages.ts)
 * when one asks (at its start, a replacement too) and on every change: a
 * renewal, a reloaded file, a key rotation.
 */
import cluster, { type Worker } from 'node:cluster';
import { X509Certificate } from 'node:crypto';
import { ConfigError, invalid } from '@stack/shared/settings';
import type { Config } from '../config.ts';
import type { AcmeSource } from './acme.ts';
import { ChallengeRelay } from './challenges.ts';
import type {
  CertificateMaterial,
  CertificateStatus,
  TlsMaterialMessage,
  TlsRequestMessage,
  TlsStatusMessage,
} from './messages.ts';
import { isTlsMessage } from './messages.ts';
import type { CertificateSource } from './source.ts';
import { newTicketKeys, TICKET_ROTATE_MS } from './tickets.ts';

type Log = {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
};

async function sourceFor(
  config: Readonly<Config>,
  log: Log,
  relay: ChallengeRelay,
): Promise<CertificateSource | AcmeSource> {
  if (config.tlsCerts === 'acme') {
    const { acmeSource } = await import('./acme.ts');
    return acmeSource({
      tlsDir: config.tlsDir,
      names: config.tlsNames,
      directoryUrl: config.acmeDirectoryUrl,
      email: config.acmeEmail,
      caFile: config.acmeCaFile,
      retryMs: config.acmeRetryMs,
      challenge: config.acmeChallenge,
      relay,
      log,
    });
  }
  if (config.tlsCerts === 'files') {
    const { filesSource } = await import('./files.ts');
    return filesSource({ pairs: config.tlsFiles, pollMs: config.tlsPollMs, log });
  }
  const { internalSource } = await import('./internal-ca.ts');
  return internalSource({ dir: config.tlsDir, names: config.tlsNames, log });
}

/**
 * Starts the source and answers workers; rejects with a ConfigError (one
 * line) when there is nothing valid to serve at start.
 */
export async function startTls(config: Readonly<Config>, log: Log): Promise<() => void> {
  const relay = new ChallengeRelay();
  const plain = await sourceFor(config, log, relay);
  const source =
    config.tlsOcsp === 'on' ? (await import('./stapling.ts')).withStapling(plain, { log }) : plain;
  let certificates: CertificateMaterial[];
  try {
    certificates = await source.start();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const setting = config.tlsCerts === 'files' ? 'EDGE_TLS_FILES' : 'EDGE_TLS_DIR';
    throw invalid(setting, (error as Error).message);
  }
  let ticketKeys = newTicketKeys();
  let expires = expiryByName(certificates);
  const status = (): CertificateStatus => ({
    expires,
    ...('counts' in plain ? plain.counts() : { renewals: 0, failures: 0 }),
  });
  const message = (): TlsMaterialMessage => ({
    type: 'edge:tls',
    certificates,
    ticketKeys,
    status: status(),
  });
  const send = (current: TlsMaterialMessage | TlsStatusMessage) => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(current);
    }
  };
  const broadcast = () => send(message());
  source.onChange((next) => {
    certificates = next;
    expires = expiryByName(next);
    broadcast();
  });
  if ('onCounts' in plain) {
    plain.onCounts(() => send({ type: 'edge:tls-status', status: status() }));
  }
  const rotation = setInterval(() => {
    ticketKeys = newTicketKeys();
    broadcast();
  }, TICKET_ROTATE_MS);
  rotation.unref();
  cluster.on('message', (worker: Worker, received: unknown) => {
    if (isTlsMessage<TlsRequestMessage>(received, 'edge:tls-request')) {
      worker.send(message());
      relay.workerReady(worker);
      return;
    }
    relay.received(worker, received);
  });
  return () => {
    clearInterval(rotation);
    source.close();
  };
}

/** Unix seconds of each name's expiry, for `/_edge/metrics` (the first certificate naming it wins, as in SNI). */
function expiryByName(certificates: readonly CertificateMaterial[]): Record<string, number> {
  const expires: Record<string, number> = {};
  for (const material of certificates) {
    const notAfter = Math.floor(Date.parse(new X509Certificate(material.cert).validTo) / 1000);
    for (const name of material.names) expires[name] ??= notAfter;
  }
  return expires;
}
