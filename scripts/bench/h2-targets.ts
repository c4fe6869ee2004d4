/**
 * The h2 rows' targets, one process each on one certificate (h2-cert.ts),
 * TLS 1.2 and 1.3 with ECDHE and AEAD suites only: the edge (files mode,
 * one worker, access log on), Node's two ceilings (bare-node-h2.ts for the
 * static rows, proxy/bare-h2.ts for the proxied one), nginx-light
 * (`listen … ssl http2`, access log) and Caddy (GOMAXPROCS=1, `tls cert
 * key`, h1 and h2 only, log). Each serves `/static/` from disk and proxies
 * the rest to the same node:http upstream. All on 127.0.0.1.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TLS_POLICY } from '../../services/edge/src/tls/policy.ts';
import { CADDY_GLOBAL, NGINX_PROXY_LOCATION, nginxMain, writeConfig } from './configs.ts';
import type { CertFiles } from './h2-cert.ts';
import { start } from './processes.ts';

const EDGE_MAIN = fileURLToPath(new URL('../../services/edge/src/main.ts', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-node-h2.ts', import.meta.url));
const SERVE = fileURLToPath(new URL('./proxy/serve.ts', import.meta.url));

export interface H2Context {
  /** Holds `static/`. */
  base: string;
  /** Configs and logs. */
  dir: string;
  tls: CertFiles;
  upstreamPort: number;
  /** The edge's own h2 answers, for the bare static server (h2-rows.ts writes it). */
  answers: string;
}

export type H2Kind = 'static' | 'proxy';

export interface H2Target {
  name: string;
  /** The rows it is measured on. */
  serves: readonly H2Kind[];
  /** `plainPort`: the edge's plain-HTTP port, which it must have. */
  start(ctx: H2Context, port: number, plainPort: number): ChildProcess;
}

export const H2_EDGE: H2Target = {
  name: 'edge',
  serves: ['static', 'proxy'],
  start: (ctx, port, plainPort) =>
    start(process.execPath, [EDGE_MAIN], {
      log: join(ctx.dir, 'edge-access.log'),
      env: {
        ...process.env,
        EDGE_HOST: '127.0.0.1',
        EDGE_PORT: String(plainPort),
        EDGE_TLS_PORT: String(port),
        EDGE_TLS_CERTS: 'files',
        EDGE_TLS_FILES: `${ctx.tls.cert}:${ctx.tls.key}`,
        EDGE_WORKERS: '1',
        EDGE_STATIC_ROOT: join(ctx.base, 'static'),
        EDGE_UPSTREAM: `http://127.0.0.1:${ctx.upstreamPort}`,
        EDGE_LOG_LEVEL: 'info', // the access log stays on
      },
    }),
};

export const H2_BARE: H2Target = {
  name: 'bare node:http2',
  serves: ['static'],
  start: (ctx, port) =>
    start(process.execPath, [BARE, String(port), ctx.answers, ctx.tls.cert, ctx.tls.key], {
      log: join(ctx.dir, 'bare-h2.log'),
    }),
};

export const H2_BARE_PROXY: H2Target = {
  name: 'bare h2→h1 pass-through',
  serves: ['proxy'],
  start: (ctx, port) =>
    start(
      process.execPath,
      [
        SERVE,
        'bare-h2',
        String(port),
        `http://127.0.0.1:${ctx.upstreamPort}`,
        ctx.tls.cert,
        ctx.tls.key,
      ],
      { log: join(ctx.dir, 'bare-h2-proxy.log') },
    ),
};

// The edge's TLS 1.2 suites (its list also names the TLS 1.3 ones, which nginx sets apart).
const TLS12_CIPHERS = String(TLS_POLICY.ciphers)
  .split(':')
  .filter((suite) => !suite.startsWith('TLS_'))
  .join(':');

export const H2_NGINX: H2Target = {
  name: 'nginx',
  serves: ['static', 'proxy'],
  start: (ctx, port) => {
    const { base, dir } = ctx;
    const conf = writeConfig(
      dir,
      'nginx.conf',
      `${nginxMain(dir, 4096)}http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${dir}/nginx-access.log combined buffer=64k flush=1s;
  sendfile on;
  tcp_nopush on;
  server_tokens off;
  # nginx ends an h2 connection after 1000 requests by default (GOAWAY), which
  # would stop h2load's clients; the edge and the others set no such limit.
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ssl_certificate ${ctx.tls.cert};
  ssl_certificate_key ${ctx.tls.key};
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ciphers ${TLS12_CIPHERS};
  ssl_prefer_server_ciphers off;
  upstream app { server 127.0.0.1:${ctx.upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port} ssl http2;
    root ${base};
    location /static/ {
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
    ${NGINX_PROXY_LOCATION}
  }
}
`,
    );
    return start('nginx', ['-c', conf, '-p', dir], { log: join(dir, 'nginx.out') });
  },
};

export const H2_CADDY: H2Target = {
  name: 'caddy',
  serves: ['static', 'proxy'],
  start: (ctx, port) => {
    const { base, dir } = ctx;
    // No HTTP/3 (its UDP listener and Alt-Svc header): the rows are h2.
    const global = CADDY_GLOBAL.replace(/\}\n$/, '  servers {\n    protocols h1 h2\n  }\n}\n');
    const conf = writeConfig(
      dir,
      'Caddyfile',
      `${global}https://127.0.0.1:${port} {
  tls ${ctx.tls.cert} ${ctx.tls.key} {
    protocols tls1.2 tls1.3
  }
  log {
    output file ${dir}/caddy-access.log
    format json
  }
  handle /static/* {
    root * ${base}
    header Cache-Control "public, max-age=31536000, immutable"
    file_server
  }
  handle {
    reverse_proxy 127.0.0.1:${ctx.upstreamPort}
  }
}
`,
    );
    return start('caddy', ['run', '--config', conf, '--adapter', 'caddyfile'], {
      log: join(dir, 'caddy.out'),
      env: {
        ...process.env,
        GOMAXPROCS: '1',
        XDG_DATA_HOME: join(dir, 'caddy-data'),
        XDG_CONFIG_HOME: join(dir, 'caddy-config'),
      },
    });
  },
};

/** In the order they run in each round; the edge first, so its answers exist for the bare server. */
export const H2_TARGETS: readonly H2Target[] = [
  H2_EDGE,
  H2_BARE,
  H2_BARE_PROXY,
  H2_NGINX,
  H2_CADDY,
];
