/**
 * Session resumption across workers: a ticket one worker issued resumes on
 * the other. Each connection's request carries its own request id, so the
 * access log says which worker (pid) answered it: the test proves that
 * resumed connections landed on the worker that did not issue the ticket,
 * which only keys shared by the primary (tickets.ts) make possible.
 * Node's cluster shares a TLS server's ticket keys by itself, once, when
 * each worker listens (the first worker's keys go to the others): so the
 * test also reloads the certificate, which makes every worker build its
 * contexts again, and checks again then.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { sleep, until } from '../proxy/helpers.ts';
import { certFiles, serialOf, servedSerial } from './cert-files.ts';
import { startTlsEdge, type TlsEdge } from './helpers.ts';

interface Handshake {
  id: string;
  reused: boolean;
  ticket: Buffer | undefined;
}

/** One connection (offering `ticket`), a request so the server's ticket arrives, then close. */
function handshake(port: number, ca: string, id: string, ticket?: Buffer): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    let next: Buffer | undefined;
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca,
      servername: 'localhost',
      ALPNProtocols: ['http/1.1'],
      ...(ticket !== undefined && { session: ticket }),
    });
    socket.on('session', (session: Buffer) => {
      next = session;
    });
    socket.once('secureConnect', () => {
      socket.write(
        `GET /_edge/healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n`,
      );
    });
    socket.on('data', () => {});
    socket.once('end', () => resolve({ id, reused: socket.isSessionReused(), ticket: next }));
    socket.once('error', reject);
  });
}

const ATTEMPTS = 6;

/**
 * A first connection gets a ticket; ATTEMPTS more offer it. Asserts that
 * some landed on the other worker than the issuer (the access log's pid for
 * each connection's request id) and that every one resumed.
 */
async function resumesOnTheOtherWorker(edge: TlsEdge, ca: string, label: string): Promise<void> {
  const first = await handshake(edge.tlsPort, ca, `tls-${label}-issuer`);
  assert.equal(first.reused, false);
  assert.ok(first.ticket, 'a session ticket was issued');
  const resumed: Handshake[] = [];
  for (let i = 0; i < ATTEMPTS; i++) {
    resumed.push(await handshake(edge.tlsPort, ca, `tls-${label}-${i}`, first.ticket));
  }
  // The access log (buffered up to 1 s) says which worker answered each connection.
  const pidOf = (id: string) => edge.lines.find((line) => line.reqId === id)?.pid;
  const ids = [first.id, ...resumed.map((h) => h.id)];
  await until(() => ids.every((id) => pidOf(id) !== undefined));
  const issuer = pidOf(first.id);
  const elsewhere = resumed.filter((h) => pidOf(h.id) !== issuer);
  assert.ok(
    elsewhere.length > 0,
    `${label}: some connection reached another worker than ${issuer}`,
  );
  for (const h of elsewhere) {
    assert.equal(h.reused, true, `${label}: ${h.id} resumed on pid ${pidOf(h.id)}, not the issuer`);
  }
  for (const h of resumed) assert.equal(h.reused, true, `${label}: ${h.id} resumed`);
}

test('a TLS session ticket from one worker resumes on the other, after a reload too', async (t) => {
  const f = await certFiles(t);
  await f.write('local', ['localhost']);
  const edge = await startTlsEdge(t, {
    EDGE_TLS_CERTS: 'files',
    EDGE_TLS_FILES: f.pair('local'),
    EDGE_TLS_POLL_MS: '100',
    EDGE_WORKERS: '2',
  });
  // Both workers up before counting on round-robin.
  await edge.nextListening();
  await resumesOnTheOtherWorker(edge, f.caPem, 'start');

  // A reload makes every worker build its contexts again from the primary's
  // message: only the keys in it keep the workers agreeing.
  const renewed = serialOf((await f.write('local', ['localhost'])).cert);
  await until(() => edge.lines.some((line) => line.msg === 'TLS certificate reloaded'));
  const serials = new Set<string>();
  for (let i = 0; i < 50 && (serials.size !== 1 || !serials.has(renewed)); i++) {
    serials.clear();
    // Two connections in a row: one per worker under round-robin.
    for (let j = 0; j < 2; j++) serials.add(await servedSerial(edge.tlsPort, f.caPem));
    if (!serials.has(renewed) || serials.size !== 1) await sleep(100);
  }
  assert.deepEqual([...serials], [renewed], 'both workers serve the new pair');
  await resumesOnTheOtherWorker(edge, f.caPem, 'reloaded');
});
