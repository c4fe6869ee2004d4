/**
 * What the bench measures, one process each, every config written here into
 * the run's temporary directory: the edge (one worker, access log on, fast
 * path on and off), nginx-light (sendfile, gzip_static, access log on),
 * Caddy (GOMAXPROCS=1, file_server, log on) and the bare node:http ceiling.
 * All listen on 127.0.0.1 only.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CADDY_GLOBAL, nginxMain, writeConfig } from './configs.ts';
import { start } from './processes.ts';

const EDGE_MAIN = fileURLToPath(new URL('../../services/edge/src/main.ts', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-node.ts', import.meta.url));

export interface Target {
  name: string;
  /** `base` holds `static/`; `dir` is for configs and logs. */
  start(base: string, dir: string, port: number): ChildProcess;
  /** Node targets whose RSS the bench reports. */
  isEdge?: boolean;
}

function edge(name: string, fastPath: boolean): Target {
  return {
    name,
    isEdge: true,
    start: (base, dir, port) =>
      start(process.execPath, [EDGE_MAIN], {
        log: join(dir, `${name.replace(/\W+/g, '-')}-access.log`),
        env: {
          ...process.env,
          EDGE_PORT: String(port),
          EDGE_WORKERS: '1',
          EDGE_STATIC_ROOT: join(base, 'static'),
          EDGE_STATIC_FAST_PATH: String(fastPath),
          EDGE_LOG_LEVEL: 'info', // the access log stays on
        },
      }),
  };
}

export const EDGE = edge('edge', true);
export const EDGE_ROUTED = edge('edge, table via Fastify route', false);

export const BARE_NODE: Target = {
  name: 'bare node:http',
  // `answers.json` is written by run.ts from the edge's own answers.
  start: (_base, dir, port) =>
    start(process.execPath, [BARE, String(port), join(dir, 'answers.json')], {
      log: join(dir, 'bare.log'),
    }),
};

export const NGINX: Target = {
  name: 'nginx',
  start: (base, dir, port) => {
    const conf = writeConfig(
      dir,
      'nginx.conf',
      `${nginxMain(dir, 1024)}http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${dir}/nginx-access.log combined buffer=64k flush=1s;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 75s;
  gzip_static on;
  client_body_temp_path ${dir}/nginx-body;
  proxy_temp_path ${dir}/nginx-proxy;
  fastcgi_temp_path ${dir}/nginx-fastcgi;
  uwsgi_temp_path ${dir}/nginx-uwsgi;
  scgi_temp_path ${dir}/nginx-scgi;
  server {
    listen 127.0.0.1:${port};
    root ${base};
    location /static/ {
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
  }
}
`,
    );
    return start('nginx', ['-c', conf, '-p', dir], { log: join(dir, 'nginx.out') });
  },
};

export const CADDY: Target = {
  name: 'caddy',
  start: (base, dir, port) => {
    const conf = writeConfig(
      dir,
      'Caddyfile',
      `${CADDY_GLOBAL}http://127.0.0.1:${port} {
  root * ${base}
  log {
    output file ${dir}/caddy-access.log
    format json
  }
  header /static/* Cache-Control "public, max-age=31536000, immutable"
  file_server {
    precompressed br gzip
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

/** In the order they run in each round; the edge first so the bare answers exist. */
export const TARGETS: readonly Target[] = [EDGE, EDGE_ROUTED, BARE_NODE, NGINX, CADDY];
