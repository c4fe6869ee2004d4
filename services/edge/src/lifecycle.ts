import type { EdgeProxy } from './proxy/index.ts';
import type { StaticTable } from './static/table.ts';
import type { TlsListener } from './tls/listener.ts';

/** Where a worker is in its life; read on every request, set by main.ts on SIGTERM. */
export interface Lifecycle {
  /** `/_edge/healthz` answers 503 so a load balancer stops sending new clients. */
  draining: boolean;
  /** The server no longer accepts; each response closes its connection after it. */
  closing: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle;
    /** The in-memory table of the hashed set (for metrics, and for tests to watch swaps). */
    staticTable: StaticTable;
    /** The reverse proxy (for `ready`, and for tests). */
    proxy: EdgeProxy;
    /** The HTTPS listener (EDGE_TLS_PORT), or null; worker.ts makes it listen. */
    tls: TlsListener | null;
  }
}
