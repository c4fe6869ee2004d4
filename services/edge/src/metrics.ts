/**
 * The edge's counters as plain data, so each worker can send its own to
 * the primary over cluster IPC and whichever worker answers a scrape adds
 * them up (`mergeEdgeStats`) and renders the Prometheus text format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * The proxy's own counters come from `src/proxy/stats.ts`.
 */
import { mergeProxyStats, type ProxyStats, proxyStatsToPrometheus } from './proxy/index.ts';
import { STATIC_PREFIX } from './static/request-path.ts';
import type { TlsCounters } from './tls/listener.ts';

/** Requests the edge answers itself, by status class (index 1 = 1xx … 5 = 5xx). */
export class EdgeCounters {
  readonly staticByClass = [0, 0, 0, 0, 0, 0];
  /** `/_edge/` and whatever else Fastify answers itself (malformed requests). */
  readonly ownByClass = [0, 0, 0, 0, 0, 0];
  /** Answers served from the in-memory table, by the fast path or the route. */
  staticTableHits = 0;

  count(path: string, status: number): void {
    const index = (status / 100) | 0;
    if (index < 1 || index > 5) return;
    const byClass = path.startsWith(STATIC_PREFIX) ? this.staticByClass : this.ownByClass;
    (byClass[index] as number)++;
  }
}

export interface EdgeStats {
  /** How many worker processes these figures add up. */
  workers: number;
  staticByClass: number[];
  ownByClass: number[];
  staticTableHits: number;
  proxy: ProxyStats;
  /** The HTTPS listener's (tls/listener.ts); zeros and `{}` without one. */
  tls: TlsCounters;
}

const NO_CERTIFICATES = { expires: {}, renewals: 0, failures: 0 };
const NO_TLS: TlsCounters = {
  handshakeFailures: 0,
  h2SessionErrors: 0,
  requests: {},
  certificates: NO_CERTIFICATES,
};

export function edgeStats(
  counters: EdgeCounters,
  proxy: ProxyStats,
  tls: TlsCounters = NO_TLS,
): EdgeStats {
  return {
    tls: {
      handshakeFailures: tls.handshakeFailures,
      h2SessionErrors: tls.h2SessionErrors,
      requests: { ...tls.requests },
      certificates: tls.certificates,
    },
    workers: 1,
    staticByClass: [...counters.staticByClass],
    ownByClass: [...counters.ownByClass],
    staticTableHits: counters.staticTableHits,
    proxy,
  };
}

function add(target: number[], source: readonly number[]): void {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + (source[i] ?? 0);
}

export function mergeEdgeStats(all: readonly EdgeStats[]): EdgeStats {
  const total: EdgeStats = {
    workers: 0,
    staticByClass: [0, 0, 0, 0, 0, 0],
    ownByClass: [0, 0, 0, 0, 0, 0],
    staticTableHits: 0,
    proxy: mergeProxyStats(all.map((s) => s.proxy)),
    tls: { handshakeFailures: 0, h2SessionErrors: 0, requests: {}, certificates: NO_CERTIFICATES },
  };
  for (const s of all) {
    // Every worker holds the primary's one status; the most recent is the one with most events.
    const seen = total.tls.certificates;
    const mine = s.tls.certificates ?? NO_CERTIFICATES;
    if (mine.renewals + mine.failures >= seen.renewals + seen.failures) {
      total.tls.certificates = mine;
    }
    total.tls.handshakeFailures += s.tls.handshakeFailures;
    total.tls.h2SessionErrors += s.tls.h2SessionErrors;
    for (const [key, n] of Object.entries(s.tls.requests)) {
      total.tls.requests[key] = (total.tls.requests[key] ?? 0) + n;
    }
    total.workers += s.workers;
    add(total.staticByClass, s.staticByClass);
    add(total.ownByClass, s.ownByClass);
    total.staticTableHits += s.staticTableHits;
  }
  return total;
}

/** Label values are addresses and fixed words here; escaped anyway, as the format asks. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function edgeStatsToPrometheus(stats: EdgeStats, prefix = 'edge'): string {
  const lines: string[] = [
    `# HELP ${prefix}_requests_total Requests answered, by kind (static, proxy, edge) and status class.`,
    `# TYPE ${prefix}_requests_total counter`,
  ];
  const kinds: [string, readonly number[]][] = [
    ['static', stats.staticByClass],
    ['proxy', stats.proxy.responsesByClass],
    ['edge', stats.ownByClass],
  ];
  for (const [kind, byClass] of kinds) {
    for (let c = 1; c <= 5; c++) {
      lines.push(`${prefix}_requests_total{kind="${kind}",class="${c}xx"} ${byClass[c] ?? 0}`);
    }
  }
  lines.push(
    `# HELP ${prefix}_static_table_hits_total Static answers served from the in-memory table.`,
    `# TYPE ${prefix}_static_table_hits_total counter`,
    `${prefix}_static_table_hits_total ${stats.staticTableHits}`,
    `# HELP ${prefix}_workers Worker processes whose counters this scrape adds up.`,
    `# TYPE ${prefix}_workers gauge`,
    `${prefix}_workers ${stats.workers}`,
    `# HELP ${prefix}_tls_handshake_failures_total TLS handshakes that failed (an old version, no shared suite, a certificate the client refused).`,
    `# TYPE ${prefix}_tls_handshake_failures_total counter`,
    `${prefix}_tls_handshake_failures_total ${stats.tls.handshakeFailures}`,
    `# HELP ${prefix}_h2_session_errors_total HTTP/2 sessions ended on a protocol error (a rapid-reset flood, invalid frames, refused streams).`,
    `# TYPE ${prefix}_h2_session_errors_total counter`,
    `${prefix}_h2_session_errors_total ${stats.tls.h2SessionErrors}`,
    `# HELP ${prefix}_https_requests_total Requests on the HTTPS port, by protocol (h1, h2) and TLS version.`,
    `# TYPE ${prefix}_https_requests_total counter`,
  );
  for (const [key, n] of Object.entries(stats.tls.requests)) {
    const [protocol = '', version = ''] = key.split(' ');
    lines.push(
      `${prefix}_https_requests_total{protocol="${label(protocol)}",tls="${label(version)}"} ${n}`,
    );
  }
  const certificates = stats.tls.certificates;
  lines.push(
    `# HELP ${prefix}_tls_certificate_expiry_seconds When the certificate served for each name expires (Unix time).`,
    `# TYPE ${prefix}_tls_certificate_expiry_seconds gauge`,
  );
  for (const [name, at] of Object.entries(certificates.expires)) {
    lines.push(`${prefix}_tls_certificate_expiry_seconds{name="${label(name)}"} ${at}`);
  }
  lines.push(
    `# HELP ${prefix}_acme_renewals_total Certificates obtained again from the ACME server before expiry.`,
    `# TYPE ${prefix}_acme_renewals_total counter`,
    `${prefix}_acme_renewals_total ${certificates.renewals}`,
    `# HELP ${prefix}_acme_failures_total ACME orders that failed (each retried with backoff).`,
    `# TYPE ${prefix}_acme_failures_total counter`,
    `${prefix}_acme_failures_total ${certificates.failures}`,
  );
  lines.push(proxyStatsToPrometheus(stats.proxy, prefix));
  // One line per address, summed over workers (each worker has its own pool).
  const byAddress = new Map<string, { connected: number; healthy: number; ejected: number }>();
  for (const u of stats.proxy.upstreams) {
    const entry = byAddress.get(u.address) ?? { connected: 0, healthy: 0, ejected: 0 };
    entry.connected += u.connected;
    if (u.healthy) entry.healthy++;
    if (u.ejected) entry.ejected++;
    byAddress.set(u.address, entry);
  }
  const gauges: [string, string, 'connected' | 'healthy' | 'ejected'][] = [
    ['upstream_address_connections', 'Open connections to each upstream address.', 'connected'],
    [
      'upstream_address_healthy',
      'Workers that see the address as passing its health checks.',
      'healthy',
    ],
    ['upstream_address_ejected', 'Workers that have the address ejected right now.', 'ejected'],
  ];
  for (const [name, help, field] of gauges) {
    lines.push(`# HELP ${prefix}_${name} ${help}`, `# TYPE ${prefix}_${name} gauge`);
    for (const [address, entry] of byAddress) {
      lines.push(`${prefix}_${name}{address="${label(address)}"} ${entry[field]}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
