/**
 * EDGE_TLS_CERTS=acme, Caddy's and Traefik's automatic HTTPS: the primary
 * orders a certificate for EDGE_TLS_NAMES from EDGE_ACME_DIRECTORY_URL
 * (RFC 8555, through `acme-client`), proves each name with HTTP-01 (the
 * workers answer the tokens on the plain port: challenges.ts), keeps the
 * account key and the certificate on the volume (acme-state.ts) and orders
 * again at a third of its life left (acme-schedule.ts). A stored
 * certificate that is valid and names every host is served at once after a
 * restart, with no new order. A failed order is one log line with the ACME
 * server's error, retried with exponential backoff, while the current
 * certificate (if any) is still served; with none yet, start() returns an
 * empty set and HTTPS handshakes fail until the first one arrives.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { invalid } from '@stack/shared/settings';
import acme from 'acme-client';
import axios, { type AxiosAdapter } from 'axios';
import { renewAt, retryIn } from './acme-schedule.ts';
import { AcmeStore, storeDir } from './acme-state.ts';
import type { ChallengeRelay } from './challenges.ts';
import type { CertificateMaterial } from './messages.ts';
import type { CertificateSource } from './source.ts';
import { validatePair } from './validate.ts';

// setTimeout's limit is 2^31 ms (24.8 days); a 90-day certificate renews
// at day 60, so long waits are taken an hour at a time.
const MAX_TIMER_MS = 3_600_000;
const REQUEST_TIMEOUT_MS = 30_000;
const POLL_MS = 500;

export interface AcmeOptions {
  tlsDir: string;
  names: readonly string[];
  directoryUrl: string;
  email: string;
  caFile: string;
  retryMs: number;
  challenge: 'http-01' | 'tls-alpn-01';
  relay: ChallengeRelay;
  log: {
    info(fields: object, message: string): void;
    error(fields: object, message: string): void;
  };
  random?: () => number;
}

export interface AcmeSource extends CertificateSource {
  counts(): { renewals: number; failures: number };
  /** Called when a counter moved without a new certificate (a failed order). */
  onCounts(listener: () => void): void;
}

interface Current {
  material: CertificateMaterial;
  notBefore: number;
  notAfter: number;
}

function lifetimeOf(material: CertificateMaterial): Current {
  const leaf = new X509Certificate(material.cert);
  return { material, notBefore: Date.parse(leaf.validFrom), notAfter: Date.parse(leaf.validTo) };
}

function oneLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).replace(/\s+/g, ' ').trim();
}

async function caAgent(caFile: string): Promise<Agent | undefined> {
  if (caFile === '') return undefined;
  let ca: string;
  try {
    ca = await readFile(caFile, 'utf8');
  } catch (error) {
    throw invalid('EDGE_ACME_CA_FILE', `${caFile}: ${oneLine(error)}`);
  }
  try {
    new X509Certificate(ca);
  } catch {
    throw invalid('EDGE_ACME_CA_FILE', `${caFile}: holds no PEM certificate`);
  }
  return new Agent({ ca });
}

/**
 * acme-client retries a request that got no answer (a refused connection,
 * a timeout) for over a minute, then loses the reason (its interceptor reads
 * the missing response: "Cannot read properties of undefined"). An error
 * without `config` passes its interceptor untouched, so the cycle fails at
 * once with the real cause and backs off on its own schedule; answers with
 * a status (5xx, 429 with Retry-After) keep the library's retries.
 */
function reportingNetworkErrors(http: AxiosAdapter): AxiosAdapter {
  return async (config) => {
    try {
      return await http(config);
    } catch (error) {
      if ((error as { response?: unknown }).response !== undefined) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code ?? oneLine(error);
      throw new Error(`${config.method?.toUpperCase() ?? 'GET'} ${config.url}: ${reason}`);
    }
  };
}

export function acmeSource(options: AcmeOptions): AcmeSource {
  const { names, directoryUrl, log, relay, random = Math.random } = options;
  const store = new AcmeStore(storeDir(options.tlsDir, directoryUrl));
  const changeListeners: ((certificates: CertificateMaterial[]) => void)[] = [];
  const countListeners: (() => void)[] = [];
  const counts = { renewals: 0, failures: 0 };
  let current: Current | undefined;
  let consecutiveFailures = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fields = { names: names.join(','), directory: directoryUrl };

  const schedule = (at: number): void => {
    if (closed) return;
    const remaining = at - Date.now();
    if (remaining <= 0) {
      void cycle();
      return;
    }
    timer = setTimeout(() => schedule(at), Math.min(remaining, MAX_TIMER_MS));
    timer.unref();
  };

  const accountKey = async (): Promise<string> => {
    const stored = await store.account();
    if (stored !== undefined) return stored.key;
    const key = (await acme.crypto.createPrivateEcdsaKey()).toString();
    await store.saveAccountKey(key);
    return key;
  };

  const order = async (): Promise<CertificateMaterial> => {
    // newAccount with a known key returns that account: after the server
    // lost it (a test CA restarted) the same key makes a new one.
    const client = new acme.Client({
      directoryUrl,
      accountKey: await accountKey(),
      // The library polls a pending challenge or order after 5 s at first;
      // a CA usually decides within a second.
      backoffMin: POLL_MS,
      backoffAttempts: 12,
    });
    const certKey = (await acme.crypto.createPrivateEcdsaKey()).toString();
    const [, csr] = await acme.crypto.createCsr(
      { commonName: names[0], altNames: [...names] },
      certKey,
    );
    const chain = await client.auto({
      csr,
      email: options.email === '' ? undefined : options.email,
      termsOfServiceAgreed: true,
      challengePriority: [options.challenge],
      // The CA checks from outside; the edge's own lookup of its names may
      // not see what the CA sees (split DNS, a load balancer, NAT).
      skipChallengeVerification: true,
      challengeCreateFn: async (authz, challenge, keyAuthorization) => {
        if ((challenge.type as string) !== 'tls-alpn-01') {
          return relay.publish(challenge.token, keyAuthorization);
        }
        const name = authz.identifier.value;
        const [key, cert] = await acme.crypto.createAlpnCertificate(
          authz,
          keyAuthorization,
          await acme.crypto.createPrivateEcdsaKey(),
        );
        const alpn = { name, cert: cert.toString(), key: key.toString() };
        return relay.publish(`tls-alpn-01:${name}`, keyAuthorization, alpn);
      },
      challengeRemoveFn: (authz, challenge) =>
        relay.remove(
          (challenge.type as string) === 'tls-alpn-01'
            ? `tls-alpn-01:${authz.identifier.value}`
            : challenge.token,
        ),
    });
    await store.saveAccountUrl(client.getAccountUrl());
    const material = validatePair(chain, certKey, { cert: 'the issued chain', key: 'its key' });
    await store.saveCertificate({ cert: material.cert, key: certKey });
    return material;
  };

  const cycle = async (): Promise<void> => {
    const started = performance.now();
    let material: CertificateMaterial;
    try {
      material = await order();
    } catch (error) {
      if (closed) return;
      counts.failures++;
      consecutiveFailures++;
      const retryInMs = retryIn(consecutiveFailures, options.retryMs, random);
      log.error(
        { ...fields, error: oneLine(error), failures: consecutiveFailures, retryInMs },
        current === undefined
          ? 'ACME order failed; no certificate yet, HTTPS handshakes fail until one is issued'
          : 'ACME order failed; the current certificate is still served',
      );
      for (const listener of countListeners) listener();
      schedule(Date.now() + retryInMs);
      return;
    }
    if (closed) return;
    if (current !== undefined) counts.renewals++;
    consecutiveFailures = 0;
    current = lifetimeOf(material);
    const next = renewAt(current.notBefore, current.notAfter, random);
    log.info(
      {
        ...fields,
        ms: Math.round(performance.now() - started),
        expires: new Date(current.notAfter).toISOString(),
        renewAt: new Date(next).toISOString(),
      },
      'ACME certificate issued',
    );
    for (const listener of changeListeners) listener([material]);
    schedule(next);
  };

  /** The stored pair when it is valid now, with the names it lacks (EDGE_TLS_NAMES grew). */
  const stored = async (): Promise<{ found: Current; missing: string[] } | undefined> => {
    const pair = await store.certificate();
    if (pair === undefined) return undefined;
    try {
      const found = lifetimeOf(
        validatePair(pair.cert, pair.key, { cert: 'cert.pem', key: 'key.pem' }),
      );
      return { found, missing: names.filter((name) => !found.material.names.includes(name)) };
    } catch (error) {
      log.info(
        { ...fields, dir: store.dir, reason: oneLine(error) },
        'stored certificate not used',
      );
      return undefined;
    }
  };

  return {
    async start() {
      try {
        await store.open();
      } catch (error) {
        throw invalid('EDGE_TLS_DIR', `${store.dir} is not writable (${oneLine(error)})`);
      }
      const agent = await caAgent(options.caFile);
      if (agent !== undefined) acme.axios.defaults.httpsAgent = agent;
      acme.axios.defaults.timeout = REQUEST_TIMEOUT_MS;
      acme.axios.defaults.adapter = reportingNetworkErrors(axios.getAdapter('http'));
      const kept = await stored();
      current = kept?.found;
      if (current === undefined) {
        log.info({ ...fields }, 'ordering an ACME certificate');
        schedule(Date.now());
        return [];
      }
      if (kept?.missing.length) {
        // Its names keep being served while the order for the full list runs.
        log.info(
          { ...fields, missing: kept.missing.join(',') },
          'the stored certificate lacks names; served while a new one is ordered',
        );
        schedule(Date.now());
        return [current.material];
      }
      const next = renewAt(current.notBefore, current.notAfter, random);
      log.info(
        {
          ...fields,
          expires: new Date(current.notAfter).toISOString(),
          renewAt: new Date(next).toISOString(),
        },
        'ACME certificate reused from the volume',
      );
      schedule(next);
      return [current.material];
    },
    onChange(listener) {
      changeListeners.push(listener);
    },
    onCounts(listener) {
      countListeners.push(listener);
    },
    counts: () => ({ ...counts }),
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
