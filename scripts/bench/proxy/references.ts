/**
 * The reference proxies, configured as in production and writing every
 * config themselves: nginx with upstream keep-alive and its access log,
 * Caddy's reverse_proxy on one OS thread (GOMAXPROCS=1) with its log, and
 * HAProxy with one thread and its HTTP log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { CADDY_GLOBAL, NGINX_PROXY_LOCATION, nginxMain, writeConfig } from '../configs.ts';

export interface Reference {
  name: string;
  command: string;
  start(dir: string, port: number, upstreamPort: number): ChildProcess;
}

function launch(command: string, args: string[], dir: string, env: NodeJS.ProcessEnv = {}) {
  const out = openSync(join(dir, `${command}.out`), 'a');
  return spawn(command, args, {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
}

/**
 * nginx proxying to the upstream with keep-alive and its access log; `http`
 * adds directives to its http block (the cache rows' proxy_cache), `name`
 * keeps each variant's config and log apart.
 */
export function startNginxProxy(
  dir: string,
  port: number,
  upstreamPort: number,
  name = 'nginx',
  http = '',
): ChildProcess {
  const conf = writeConfig(
    dir,
    `${name}.conf`,
    `${nginxMain(dir, 4096)}http {
  access_log ${dir}/${name}-access.log;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server_tokens off;
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }${http}
  server {
    listen 127.0.0.1:${port};
    ${NGINX_PROXY_LOCATION}
  }
}
`,
  );
  return launch('nginx', ['-p', dir, '-e', `${dir}/${name}-error.log`, '-c', conf], dir);
}

export const nginx: Reference = {
  name: 'nginx (keepalive, log on)',
  command: 'nginx',
  start: (dir, port, upstreamPort) => startNginxProxy(dir, port, upstreamPort),
};

export const caddy: Reference = {
  name: 'Caddy (reverse_proxy, GOMAXPROCS=1, log on)',
  command: 'caddy',
  start(dir, port, upstreamPort) {
    const conf = writeConfig(
      dir,
      'Caddyfile',
      `${CADDY_GLOBAL}http://127.0.0.1:${port} {
  log {
    output file ${dir}/caddy-access.log
  }
  reverse_proxy 127.0.0.1:${upstreamPort}
}
`,
    );
    return launch('caddy', ['run', '--config', conf, '--adapter', 'caddyfile'], dir, {
      GOMAXPROCS: '1',
      XDG_DATA_HOME: dir,
      XDG_CONFIG_HOME: dir,
    });
  },
};

export const haproxy: Reference = {
  name: 'HAProxy (nbthread 1, log on)',
  command: 'haproxy',
  start(dir, port, upstreamPort) {
    const conf = writeConfig(
      dir,
      'haproxy.cfg',
      `global
  nbthread 1
  maxconn 4000
  log stdout format raw local0
defaults
  mode http
  log global
  option httplog
  option http-keep-alive
  option forwardfor
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend edge
  bind 127.0.0.1:${port}
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  default_backend app
backend app
  server app1 127.0.0.1:${upstreamPort}
`,
    );
    // The HTTP log goes to stdout, which launch() sends to a file.
    return launch('haproxy', ['-f', conf, '-db'], dir);
  },
};

export const REFERENCES = [nginx, haproxy, caddy];
