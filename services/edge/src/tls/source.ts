/**
 * The certificate store as the primary sees it: a source yields the
 * certificates to serve and says when they change. `internal` (a local CA)
 * and `files` are the two here; ACME plugs in the same way (its HTTP-01
 * challenges get through EDGE_HTTP_REDIRECT: redirect.ts).
 */
import type { CertificateMaterial } from './messages.ts';

export interface CertificateSource {
  /** The first set; rejects (one line, naming the file or setting) when there is none to serve. */
  start(): Promise<CertificateMaterial[]>;
  /** Called with every later set (a renewal, a changed file that passed validation). */
  onChange(listener: (certificates: CertificateMaterial[]) => void): void;
  /** Stops watchers and timers. */
  close(): void;
}
