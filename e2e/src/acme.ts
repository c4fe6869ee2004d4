/**
 * The ACME suite's side of pebble (e2e/acme/compose.acme.yaml): the folder
 * the overlay mounts (pebble's own TLS pair, made here with openssl, and its
 * config), pebble's root read from its management API on the published
 * loopback port, the certificates it issued counted in its log, and the
 * leaf the edge presents by SNI, verified against that root.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { selfSignedPair } from '@stack/shared/testing-tls';
import type { Stack } from './stack.ts';

/** The names the overlay makes network aliases of the edge. */
export const ACME_NAMES = ['a.edge.test', 'b.edge.test'] as const;

export interface AcmeDir {
  dir: string;
  /** Pebble's API certificate (self-signed), which the edge trusts through EDGE_ACME_CA_FILE. */
  apiCa: string;
}

/**
 * The folder the overlay mounts read-only: pebble's pair (for the name
 * `pebble`) and a config validating HTTP-01 on the edge's plain port
 * (8080 in its container; a Swarm node's host-mode port when given),
 * issuing certificates that live `validitySeconds`. Synchronous: a suite
 * needs it before its stack starts.
 */
export function makeAcmeDir(validitySeconds: number, httpPort = 8080): AcmeDir {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-acme-'));
  // The edge reads it as its own unprivileged user.
  chmodSync(dir, 0o755);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  selfSignedPair(cert, key, 'pebble', 'DNS:pebble');
  chmodSync(cert, 0o644);
  const config = {
    pebble: {
      listenAddress: '0.0.0.0:14000',
      managementListenAddress: '0.0.0.0:15000',
      certificate: '/acme-test/cert.pem',
      privateKey: '/acme-test/key.pem',
      httpPort,
      tlsPort: 8443,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      certificateValidityPeriod: validitySeconds,
    },
  };
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify(config), { mode: 0o644 });
  return { dir, apiCa: readFileSync(cert, 'utf8') };
}

/** Pebble's management port on the host: read each time (a restarted container gets a new one). */
async function managementPort(stack: Stack): Promise<number> {
  const info = await (await stack.container('pebble')).inspect();
  const port = Number(info.NetworkSettings.Ports['15000/tcp']?.[0]?.HostPort);
  if (!(port > 0)) throw new Error(`pebble of ${stack.project} publishes no management port`);
  return port;
}

/** The root pebble signs under: new at every start of pebble. */
export async function pebbleRoot(stack: Stack, acme: AcmeDir): Promise<string> {
  return pebbleRootAt(await managementPort(stack), acme);
}

/** The root, from pebble's management API on the host's `port`. */
export function pebbleRootAt(port: number, acme: AcmeDir): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      // The API certificate names `pebble`; the host reaches it on loopback.
      { host: '127.0.0.1', port, path: '/roots/0', ca: acme.apiCa, servername: 'pebble' },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks).toString())
            : reject(new Error(`pebble /roots/0: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Certificates pebble issued so far, from its log (`Issued certificate serial …`). */
export async function issuedCount(stack: Stack): Promise<number> {
  const text = await readFile(stack.logs.file('pebble-1'), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.includes('Issued certificate serial')).length;
}

export interface Leaf {
  serial: string;
  names: string;
}

/** The certificate the edge presents for `servername` at `host`:`port`, verified against `root`. */
export function leafFor(
  port: number,
  servername: string,
  root: string,
  host = '127.0.0.1',
): Promise<Leaf> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, ca: root });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      if (!socket.authorized) return reject(socket.authorizationError);
      resolve({ serial: peer.serialNumber, names: peer.subjectaltname ?? '' });
    });
    socket.once('error', reject);
  });
}
