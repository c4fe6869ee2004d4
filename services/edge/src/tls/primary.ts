/**
 * The primary's side of TLS: it owns the certificate source (internal CA or
 * files; the certificate library is loaded here and nowhere else) and the
 * session ticket keys, and sends workers the whole material (messages.ts)
 * when one asks (at its start, a replacement too) and on every change: a
 * renewal, a reloaded file, a key rotation.
 */
import cluster, { type Worker } from 'node:cluster';
import { invalid } from '@stack/shared/settings';
import type { Config } from '../config.ts';
import type { CertificateMaterial, TlsMaterialMessage, TlsRequestMessage } from './messages.ts';
import { isTlsMessage } from './messages.ts';
import type { CertificateSource } from './source.ts';
import { newTicketKeys, TICKET_ROTATE_MS } from './tickets.ts';

type Log = {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
};

async function sourceFor(config: Readonly<Config>, log: Log): Promise<CertificateSource> {
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
  const plain = await sourceFor(config, log);
  const source =
    config.tlsOcsp === 'on' ? (await import('./stapling.ts')).withStapling(plain, { log }) : plain;
  let certificates: CertificateMaterial[];
  try {
    certificates = await source.start();
  } catch (error) {
    const setting = config.tlsCerts === 'files' ? 'EDGE_TLS_FILES' : 'EDGE_TLS_DIR';
    throw invalid(setting, (error as Error).message);
  }
  let ticketKeys = newTicketKeys();
  const message = (): TlsMaterialMessage => ({ type: 'edge:tls', certificates, ticketKeys });
  const broadcast = () => {
    const current = message();
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(current);
    }
  };
  source.onChange((next) => {
    certificates = next;
    broadcast();
  });
  const rotation = setInterval(() => {
    ticketKeys = newTicketKeys();
    broadcast();
  }, TICKET_ROTATE_MS);
  rotation.unref();
  cluster.on('message', (worker: Worker, received: unknown) => {
    if (isTlsMessage<TlsRequestMessage>(received, 'edge:tls-request')) worker.send(message());
  });
  return () => {
    clearInterval(rotation);
    source.close();
  };
}
