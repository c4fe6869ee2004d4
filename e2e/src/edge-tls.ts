/**
 * The edge's HTTPS side of a stack as a person meets it: the host port the
 * engine published for 8443, and the local CA copied out of the edge's
 * volume exactly as services/edge/README.md says (`docker compose cp`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stack } from './stack.ts';

const TLS_PORT = '8443/tcp';

/** Where the edge keeps its CA (EDGE_TLS_DIR's default, the `edge-tls` volume). */
export const CA_IN_CONTAINER = '/var/lib/edge-tls/root.crt';

/**
 * The edge's HTTPS host port. With `HTTPS_PORT=0` the engine picks it, and
 * picks again whenever the edge container starts again: read it each time.
 */
export async function httpsPort(stack: Stack): Promise<number> {
  const info = await (await stack.container('edge')).inspect();
  const port = Number(info.NetworkSettings.Ports[TLS_PORT]?.[0]?.HostPort);
  if (!(port > 0)) throw new Error(`the edge of ${stack.project} publishes no ${TLS_PORT}`);
  return port;
}

/** Copies the local CA into `dir` as `edge-root.crt`; its path and PEM. */
export async function copyLocalCa(
  stack: Stack,
  dir: string,
): Promise<{ file: string; pem: string }> {
  const file = join(dir, 'edge-root.crt');
  await stack.run('cp', `edge:${CA_IN_CONTAINER}`, file);
  return { file, pem: await readFile(file, 'utf8') };
}
