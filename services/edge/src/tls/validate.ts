/**
 * One certificate pair checked as the primary accepts it, with node:crypto
 * alone: every PEM block of the chain parses, the key parses and matches
 * the leaf, and the leaf is valid now. The error says which file is wrong.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { CertificateMaterial } from './messages.ts';

export class PairError extends Error {
  /** The file the message is about (the certificate's, or the key's). */
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'PairError';
    this.file = file;
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The leaf's names from its SANs: `DNS:a, IP Address:127.0.0.1` → `['a', '127.0.0.1']`. */
export function sanNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const entry of (cert.subjectAltName ?? '').split(',')) {
    const [kind, value] = entry.trim().split(/:(.*)/s);
    if ((kind === 'DNS' || kind === 'IP Address') && value) names.push(value);
  }
  return names;
}

export interface Labels {
  cert: string;
  key: string;
}

/** Throws a {@link PairError} naming the file at fault; returns what a worker serves. */
export function validatePair(
  certPem: string,
  keyPem: string,
  labels: Labels,
  { now = Date.now(), leaf: isLeaf = true }: { now?: number; leaf?: boolean } = {},
): CertificateMaterial {
  const blocks = certPem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new PairError(labels.cert, 'no PEM certificate in it');
  let leaf: X509Certificate | undefined;
  for (const block of blocks) {
    try {
      const cert = new X509Certificate(block);
      leaf ??= cert;
    } catch (error) {
      throw new PairError(
        labels.cert,
        `a certificate does not parse (${(error as Error).message})`,
      );
    }
  }
  const first = leaf as X509Certificate;
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new PairError(labels.key, `the private key does not parse (${(error as Error).message})`);
  }
  if (!first.checkPrivateKey(key)) {
    throw new PairError(labels.key, `does not match the certificate in ${labels.cert}`);
  }
  if (Date.parse(first.validTo) <= now) {
    throw new PairError(labels.cert, `expired on ${first.validTo}`);
  }
  if (Date.parse(first.validFrom) > now) {
    throw new PairError(labels.cert, `not valid before ${first.validFrom}`);
  }
  const names = sanNames(first);
  if (isLeaf && names.length === 0)
    throw new PairError(labels.cert, 'names no host (no subjectAltName)');
  return { cert: blocks.join('\n'), key: keyPem, names };
}
