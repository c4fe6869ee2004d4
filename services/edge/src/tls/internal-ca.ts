/**
 * EDGE_TLS_CERTS=internal, Caddy's `tls internal`: a local CA kept in
 * EDGE_TLS_DIR (created once, then reused for as long as it is valid:
 * people trust it once, README "Trusting the local CA") signs a short-lived
 * leaf for EDGE_TLS_NAMES, made at every start and renewed in memory at
 * two thirds of its life. Only the primary loads this file, and with it
 * @peculiar/x509 (Node cannot write certificates): workers get PEM strings.
 */
// @peculiar/x509's dependency injection (tsyringe) needs the Reflect
// metadata API before it loads: this import must stay first.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { CertificateMaterial } from './messages.ts';
import type { CertificateSource } from './source.ts';
import { PairError, validatePair } from './validate.ts';
import { writeAtomic } from './write-atomic.ts';

// Node's WebCrypto, typed by @types/node rather than the DOM's lib.
type Key = webcrypto.CryptoKey;
type KeyPair = webcrypto.CryptoKeyPair;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Ten years: people trust the CA once. */
const CA_LIFE_MS = 3650 * DAY_MS;
/** Thirty days, renewed after twenty: a leaked leaf key is short-lived. */
export const LEAF_LIFE_MS = 30 * DAY_MS;
const RENEW_AT = 2 / 3;
const CHECK_MS = 3_600_000;
// Signed a little in the past, so a client whose clock is slightly behind accepts it.
const BACKDATE_MS = 3_600_000;

export const CA_CERT_FILE = 'root.crt';
export const CA_KEY_FILE = 'root.key';

interface Authority {
  cert: x509.X509Certificate;
  key: Key;
}

export interface InternalOptions {
  dir: string;
  names: readonly string[];
  log: {
    info(fields: object, message: string): void;
    error(fields: object, message: string): void;
  };
  /** For tests of renewal; production uses LEAF_LIFE_MS. */
  leafLifeMs?: number;
}

function serial(): string {
  // Positive, 16 bytes: RFC 5280 §4.1.2.2 allows up to 20.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}

async function keyPem(key: Key): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PairError(path, (error as Error).message);
  }
}

/** The CA of `dir`: the one on disk while it is valid, else a new one written there. */
export async function loadOrCreateAuthority(
  dir: string,
  log: InternalOptions['log'],
): Promise<Authority> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const [certPem, keyText] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem !== undefined && keyText !== undefined) {
    // The same checks as any pair: parses, matches, valid now.
    validatePair(certPem, keyText, { cert: certPath, key: keyPath }, { leaf: false });
    const key = createPrivateKey(keyText).toCryptoKey(ALGORITHM, false, ['sign']);
    return { cert: new x509.X509Certificate(certPem), key: key as unknown as Key };
  }
  if (certPem !== undefined || keyText !== undefined) {
    // Never overwrite half of a CA people may already trust.
    const present = certPem !== undefined ? certPath : keyPath;
    throw new PairError(
      present,
      `is there without its other half (${CA_CERT_FILE}, ${CA_KEY_FILE})`,
    );
  }
  await mkdir(dir, { recursive: true });
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as KeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Edge local CA ${randomBytes(4).toString('hex')}, O=Edge local development CA`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_LIFE_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  // The key first, readable by this user alone; the certificate is public.
  await writeAtomic(keyPath, await keyPem(keys.privateKey), 0o600);
  await writeAtomic(certPath, cert.toString('pem'), 0o644);
  log.info(
    { file: certPath, fingerprint: new X509Certificate(cert.toString('pem')).fingerprint256 },
    'created the local CA',
  );
  return { cert, key: keys.privateKey };
}

/** A leaf for `names`, signed by `ca`, valid for `lifeMs`. */
export async function issueLeaf(
  ca: Authority,
  names: readonly string[],
  lifeMs: number,
): Promise<CertificateMaterial> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as KeyPair;
  const now = Date.now();
  const dns = names.find((name) => isIP(name) === 0) ?? names[0];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${dns}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + lifeMs),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: isIP(value) === 0 ? 'dns' : 'ip', value }) as const),
        false,
      ),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  // The leaf alone: clients hold the CA (trusting it is the point), so it is never sent.
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey), names: [...names] };
}

export function internalSource(options: InternalOptions): CertificateSource {
  const lifeMs = options.leafLifeMs ?? LEAF_LIFE_MS;
  const listeners: ((certificates: CertificateMaterial[]) => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let renewAt = 0;
  let ca: Authority;
  let renewing = false;

  const issue = async (): Promise<CertificateMaterial[]> => {
    const leaf = await issueLeaf(ca, options.names, lifeMs);
    renewAt = Date.now() + lifeMs * RENEW_AT;
    options.log.info(
      { names: options.names, renewAt: new Date(renewAt).toISOString() },
      'issued the TLS leaf',
    );
    return [leaf];
  };

  return {
    async start() {
      ca = await loadOrCreateAuthority(options.dir, options.log);
      const first = await issue();
      // Checked often rather than one long timer: a suspended laptop or a
      // clock change still renews on time.
      timer = setInterval(
        () => {
          if (renewing || Date.now() < renewAt) return;
          renewing = true;
          issue()
            .then(
              (certificates) => {
                for (const listener of listeners) listener(certificates);
              },
              (error: Error) =>
                options.log.error({ err: error }, 'TLS leaf renewal failed; retrying'),
            )
            .finally(() => {
              renewing = false;
            });
        },
        Math.min(CHECK_MS, Math.max(1000, lifeMs / 30)),
      );
      timer.unref();
      return first;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    close() {
      clearInterval(timer);
    },
  };
}
