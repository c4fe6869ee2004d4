/**
 * Session resumption across workers: a ticket one worker issued resumes on
 * the others (Node's round-robin hands connections to both workers here).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { readRoot, startTlsEdge } from './helpers.ts';

interface Handshake {
  reused: boolean;
  ticket: Buffer | undefined;
}

/** One connection (offering `ticket`), a request so the server's ticket arrives, then close. */
function handshake(port: number, ca: string, ticket?: Buffer): Promise<Handshake> {
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
      socket.write('GET /_edge/healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    socket.on('data', () => {});
    socket.once('end', () => resolve({ reused: socket.isSessionReused(), ticket: next }));
    socket.once('error', reject);
  });
}

test('a TLS session resumes on whichever worker the next connection reaches', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-resume-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const edge = await startTlsEdge(t, { EDGE_TLS_DIR: dir, EDGE_WORKERS: '2' });
  // Both workers up before counting on round-robin.
  await edge.nextListening();
  const ca = await readRoot(dir);
  const first = await handshake(edge.tlsPort, ca);
  assert.equal(first.reused, false);
  assert.ok(first.ticket, 'a session ticket was issued');
  const pids = new Set<unknown>();
  for (let i = 0; i < 4; i++) {
    const again = await handshake(edge.tlsPort, ca, first.ticket);
    assert.equal(again.reused, true, `connection ${i + 2} resumed`);
  }
  // The access log says which worker answered each request: more than one did.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  for (const line of edge.lines) if (line.path === '/_edge/healthz') pids.add(line.pid);
  assert.equal(pids.size, 2, 'both workers served, both resumed');
});
