/**
 * Which body limit a request takes: `EDGE_UPLOAD_MAX_BODY_BYTES` under one
 * of `EDGE_UPLOAD_PATHS`, `EDGE_MAX_BODY_BYTES` elsewhere (nginx's
 * `client_max_body_size` set per `location`). A prefix matches whole
 * segments: `/entries` takes `/entries`, `/entries/3/delete` and
 * `/entries?x`, never `/entriesX`.
 */
import type { ProxySettings } from './options.ts';

type Limits = Pick<ProxySettings, 'maxBodyBytes' | 'uploadPaths' | 'uploadMaxBodyBytes'>;

export function bodyLimitFor(limits: Limits, url: string): number {
  for (const prefix of limits.uploadPaths) {
    if (!url.startsWith(prefix)) continue;
    const next = url.charCodeAt(prefix.length);
    // End, '/', '?': a whole segment (or the root prefix '/').
    if (prefix === '/' || Number.isNaN(next) || next === 47 || next === 63) {
      return limits.uploadMaxBodyBytes;
    }
  }
  return limits.maxBodyBytes;
}
