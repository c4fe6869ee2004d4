/**
 * OCSP stapling around any certificate source: for each leaf that names a
 * responder (ocsp.ts), the primary fetches a response, checks it and sends
 * it to the workers with the certificate (`CertificateMaterial.ocsp`), so
 * a client asking for the status in its handshake gets it without asking
 * the CA itself. Fetched in the background: the first certificates are
 * served at once, stapled once the answer is in, as nginx's `ssl_stapling`
 * staples from the connections after its first fetch. Refreshed halfway
 * to the response's `nextUpdate`; a failed fetch is retried and the last
 * good response served until it expires.
 */
import { X509Certificate } from 'node:crypto';
import type { CertificateMaterial } from './messages.ts';
import type { Staple } from './ocsp.ts';
import type { CertificateSource } from './source.ts';

export interface StaplingOptions {
  log: {
    info(fields: object, message: string): void;
    error(fields: object, message: string): void;
  };
  /** One fetch, connect to body. */
  timeoutMs?: number;
  /** After a failed fetch. */
  retryMs?: number;
}

const HOUR_MS = 3_600_000;
/** Bounds on the refresh: responders that answer `nextUpdate` in seconds, or none at all. */
const MIN_REFRESH_MS = 60_000;
const MAX_REFRESH_MS = 12 * HOUR_MS;

interface Entry {
  staple: Staple | null;
  timer: NodeJS.Timeout | null;
}

export function withStapling(
  source: CertificateSource,
  options: StaplingOptions,
): CertificateSource {
  const { log, timeoutMs = 10_000, retryMs = 5 * 60_000 } = options;
  const listeners: ((certificates: CertificateMaterial[]) => void)[] = [];
  // Keyed by the chain PEM: a reloaded file with the same certificate keeps its staple.
  let entries = new Map<string, Entry>();
  let current: CertificateMaterial[] = [];
  let closed = false;

  const stapled = (): CertificateMaterial[] =>
    current.map((material) => {
      const staple = entries.get(material.cert)?.staple;
      return staple ? { ...material, ocsp: staple.der.toString('base64') } : material;
    });
  const emit = () => {
    const next = stapled();
    for (const listener of listeners) listener(next);
  };
  const schedule = (material: CertificateMaterial, entry: Entry, ms: number) => {
    if (closed) return;
    entry.timer = setTimeout(() => void refresh(material, entry), ms);
    entry.timer.unref();
  };
  const refresh = async (material: CertificateMaterial, entry: Entry) => {
    const names = material.names.join(',');
    const responder = responderOf(material.cert);
    try {
      // The OCSP library loads only once a certificate names a responder.
      const { fetchStaple, stapleTarget } = await import('./ocsp.ts');
      const target = stapleTarget(material.cert);
      if (target === null) return;
      const staple = await fetchStaple(target, timeoutMs);
      if (closed || entries.get(material.cert) !== entry) return;
      entry.staple = staple;
      log.info({ names, responder, nextUpdate: staple.nextUpdate }, 'OCSP response stapled');
      emit();
      schedule(material, entry, refreshIn(staple));
    } catch (error) {
      if (closed || entries.get(material.cert) !== entry) return;
      log.error({ names, responder, error: (error as Error).message }, 'OCSP response not stapled');
      const expired = entry.staple?.nextUpdate != null && entry.staple.nextUpdate <= new Date();
      if (expired) {
        entry.staple = null;
        emit();
      }
      schedule(material, entry, retryMs);
    }
  };
  const track = (materials: CertificateMaterial[]) => {
    const next = new Map<string, Entry>();
    for (const material of materials) {
      const kept = entries.get(material.cert);
      if (kept !== undefined) {
        next.set(material.cert, kept);
        continue;
      }
      const entry: Entry = { staple: null, timer: null };
      next.set(material.cert, entry);
      if (responderOf(material.cert) !== null) void refresh(material, entry);
    }
    for (const [cert, entry] of entries) {
      if (!next.has(cert) && entry.timer !== null) clearTimeout(entry.timer);
    }
    entries = next;
    current = materials;
  };

  return {
    async start() {
      track(await source.start());
      return stapled();
    },
    onChange(listener) {
      listeners.push(listener);
      if (listeners.length === 1) {
        source.onChange((materials) => {
          track(materials);
          emit();
        });
      }
    },
    close() {
      closed = true;
      for (const entry of entries.values()) if (entry.timer !== null) clearTimeout(entry.timer);
      source.close();
    },
  };
}

/** Halfway from now to `nextUpdate` (RFC 5019 §6's advice: well before it), within bounds. */
export function refreshIn(staple: Staple, now = Date.now()): number {
  if (staple.nextUpdate === null) return HOUR_MS;
  const half = (staple.nextUpdate.getTime() - now) / 2;
  return Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, half));
}

/** The leaf's http OCSP responder, read with node:crypto (no OCSP library for leaves without one). */
function responderOf(chainPem: string): string | null {
  const access = new X509Certificate(chainPem).infoAccess ?? '';
  return /^OCSP - URI:(http:\/\/\S+)$/m.exec(access)?.[1] ?? null;
}
