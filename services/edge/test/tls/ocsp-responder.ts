/**
 * An OCSP fixture built with OpenSSL's own tools, so the edge's OCSP code
 * is checked against an implementation that is not its own: a CA, a leaf
 * whose Authority Information Access names a responder on loopback, the
 * full chain and key as EDGE_TLS_FILES wants them, and `openssl ocsp`
 * answering from an index in which the leaf is valid or revoked.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connect } from 'node:tls';
import { freePort } from './helpers.ts';

const SERIAL = '1001';
/** OpenSSL's index time format: YYMMDDHHMMSSZ. */
const indexTime = (ms: number) =>
  `${new Date(ms)
    .toISOString()
    .replace(/[-:T]|\.\d+/g, '')
    .slice(2)}`;

export interface OcspFixture {
  dir: string;
  caPem: string;
  /** The EDGE_TLS_FILES entry: the full chain (leaf, then the CA) and the key. */
  pair: string;
  /** `openssl ocsp` on loopback, answering `status` for the leaf; stopped when the test ends. */
  respond(status: 'valid' | 'revoked'): Promise<void>;
  /** A response fetched by OpenSSL's own client, DER. */
  fetched(): Promise<Buffer>;
  /** What `openssl ocsp -respin` says of a response the edge stapled: `good`, and its verification. */
  check(der: Buffer): Promise<string>;
}

export async function ocspFixture(t: TestContext): Promise<OcspFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-ocsp-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const at = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Edge test OCSP CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  run('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost');
  await writeFile(
    at('leaf.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\n' +
      `authorityInfoAccess=OCSP;URI:http://127.0.0.1:${port}\n` +
      'extendedKeyUsage=serverAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-set_serial',
    `0x${SERIAL}`,
    '-days',
    '1',
    '-extfile',
    'leaf.ext',
    '-out',
    'leaf.crt',
  );
  const caPem = await readFile(at('ca.crt'), 'utf8');
  await writeFile(at('chain.crt'), (await readFile(at('leaf.crt'), 'utf8')) + caPem);

  let responder: ChildProcess | null = null;
  t.after(() => responder?.kill());
  return {
    dir,
    caPem,
    pair: `${at('chain.crt')}:${at('leaf.key')}`,
    async respond(status) {
      const expiry = indexTime(Date.now() + 86_400_000);
      const line =
        status === 'valid'
          ? `V\t${expiry}\t\t${SERIAL}\tunknown\t/CN=localhost\n`
          : `R\t${expiry}\t${indexTime(Date.now() - 60_000)}\t${SERIAL}\tunknown\t/CN=localhost\n`;
      await writeFile(at('index.txt'), line);
      responder = spawn(
        'openssl',
        [
          'ocsp',
          '-index',
          'index.txt',
          '-port',
          String(port),
          '-CA',
          'ca.crt',
          '-rsigner',
          'ca.crt',
          '-rkey',
          'ca.key',
          '-nmin',
          '10',
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      // A probe connection would be taken as a request by this one-at-a-time
      // server: wait for its own word instead.
      let said = '';
      await new Promise<void>((resolve, reject) => {
        const hear = (chunk: Buffer) => {
          said += chunk;
          if (said.includes('waiting for OCSP client connections')) resolve();
        };
        responder?.stdout?.on('data', hear);
        responder?.stderr?.on('data', hear);
        responder?.once('exit', (code) =>
          reject(new Error(`openssl ocsp exited ${code}: ${said}`)),
        );
      });
    },
    async fetched() {
      run(
        'ocsp',
        '-issuer',
        'ca.crt',
        '-cert',
        'leaf.crt',
        '-url',
        `http://127.0.0.1:${port}`,
        '-respout',
        'fetched.der',
        '-noverify',
      );
      return readFile(at('fetched.der'));
    },
    async check(der) {
      await writeFile(at('stapled.der'), der);
      return run(
        'ocsp',
        '-respin',
        'stapled.der',
        '-issuer',
        'ca.crt',
        '-cert',
        'leaf.crt',
        '-CAfile',
        'ca.crt',
      ).toString();
    },
  };
}

/** The OCSP response a new connection that asks for one is stapled, or null when none is. */
export function stapledResponse(port: number, ca: string): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    let stapled: Buffer | null = null;
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca,
      servername: 'localhost',
      requestOCSP: true,
    });
    socket.once('OCSPResponse', (response: Buffer) => {
      stapled = response;
    });
    socket.once('secureConnect', () => {
      socket.end();
      resolve(stapled);
    });
    socket.once('error', reject);
  });
}
