/**
 * The pieces of the reference servers' configs that the static rows
 * (targets.ts), the proxied rows (proxy/references.ts) and the h2 rows
 * (h2-targets.ts) write alike: each
 * server runs as one foreground process whose files all stay in the run's
 * temporary directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `text` to `dir/name` and returns the path, for the server's config flag. */
export function writeConfig(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** nginx's main context: one worker, in the foreground, pid and error log in `dir`. */
export function nginxMain(dir: string, workerConnections: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections ${workerConnections}; }
`;
}

/** Caddy's global options: no admin endpoint, no automatic HTTPS. */
export const CADDY_GLOBAL = `{
  admin off
  auto_https off
}
`;

/** nginx's `location /` proxying to `upstream app` as the edge does: keep-alive, the edge's headers. */
export const NGINX_PROXY_LOCATION = `location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Request-Id $request_id;
    }`;
