/**
 * EDGE_TLS_CERTS=files: the pair is replaced (a new key and certificate,
 * each written to a temporary file and renamed over the old one, as a
 * Kubernetes or Compose secret update lands) while h2 and HTTP/1.1 clients
 * keep requesting, on open sessions and on new connections. No request
 * fails, and connections opened once the reload is through are shown the
 * new certificate.
 */
import assert from 'node:assert/strict';
import type { ClientHttp2Session } from 'node:http2';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { h1Fresh, h2Fresh, withTimeout } from '@stack/shared/testing-tls';
import { TABLE_CSS } from '../helpers.ts';
import { sleep, until } from '../proxy/helpers.ts';
import { certFiles, serialOf } from './cert-files.ts';
import { h2Get, h2Session, startTlsEdge } from './helpers.ts';

const CSS = `/static/${TABLE_CSS}`;
const LOAD_MS = 2500;
// Under a starved CPU a fresh TLS connection can take hundreds of ms: the
// new-connection clients go on past LOAD_MS (up to this) until each kind
// has opened one after the reload window.
const MAX_LOAD_MS = 15_000;
const SWAP_AT_MS = 800;
// A reload is seen within the watch's settle time (100 ms) plus IPC; the poll (100 ms) backs it up.
const RELOADED_WITHIN_MS = 1000;
// A request that gets no answer (a session cut under it) counts as failed rather than hanging the test.
const REQUEST_TIMEOUT_MS = 3000;

interface Outcome {
  kind: 'h2 session' | 'h2 new' | 'h1 new';
  /** When the connection was opened (h2 session: when the request was sent), from the load's start. */
  at: number;
  status: number;
  serial: string;
  error?: string;
}

test('a pair replaced under h2 and HTTP/1.1 load: no request fails, new connections get the new pair', async (t) => {
  const f = await certFiles(t);
  const old = serialOf((await f.write('local', ['localhost'])).cert);
  const edge = await startTlsEdge(t, {
    EDGE_TLS_CERTS: 'files',
    EDGE_TLS_FILES: f.pair('local'),
    EDGE_TLS_POLL_MS: '100',
    EDGE_WORKERS: '2',
  });
  await edge.nextListening();
  const sessions: ClientHttp2Session[] = [
    await h2Session(t, edge.tlsPort, f.caPem),
    await h2Session(t, edge.tlsPort, f.caPem),
  ];

  const outcomes: Outcome[] = [];
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  let swapped = Number.POSITIVE_INFINITY;
  const lateSeen = (kind: Outcome['kind']) =>
    kind === 'h2 session' ||
    outcomes.some((o) => o.kind === kind && o.at > swapped + RELOADED_WITHIN_MS);
  const client = async (
    kind: Outcome['kind'],
    request: () => Promise<{ status: number; serial: string }>,
  ) => {
    while (elapsed() < LOAD_MS || (!lateSeen(kind) && elapsed() < MAX_LOAD_MS)) {
      const at = elapsed();
      try {
        outcomes.push({ kind, at, ...(await withTimeout(request(), REQUEST_TIMEOUT_MS)) });
      } catch (error) {
        outcomes.push({ kind, at, status: 0, serial: '', error: String(error) });
        // A dead session fails at once: give the other clients the event loop.
        await sleep(10);
      }
    }
  };
  const onSession = (session: ClientHttp2Session) => async () => {
    const { status } = await h2Get(session, CSS);
    return { status, serial: (session.socket as TLSSocket).getPeerCertificate().serialNumber };
  };
  let renewed = '';
  const swap = (async () => {
    await sleep(SWAP_AT_MS);
    renewed = serialOf((await f.write('local', ['localhost'])).cert);
    swapped = elapsed();
    return swapped;
  })();
  await Promise.all([
    ...sessions.map((session) => client('h2 session', onSession(session))),
    client('h2 new', () => h2Fresh({ port: edge.tlsPort, ca: f.caPem }, CSS)),
    client('h1 new', () => h1Fresh({ port: edge.tlsPort, ca: f.caPem }, CSS)),
    client('h1 new', () => h1Fresh({ port: edge.tlsPort, ca: f.caPem }, CSS)),
  ]);
  const swappedAt = await swap;

  const failed = outcomes.filter((o) => o.status !== 200);
  assert.deepEqual(failed.slice(0, 3), [], `no request failed (${failed.length} did)`);
  const counts = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
  for (const kind of ['h2 session', 'h2 new', 'h1 new'] as const) {
    assert.ok(counts(kind) >= 5, `${kind}: ${counts(kind)} requests`);
  }
  // Open sessions keep the certificate they were made with.
  for (const o of outcomes.filter((o) => o.kind === 'h2 session')) assert.equal(o.serial, old);
  const fresh = outcomes.filter((o) => o.kind !== 'h2 session');
  assert.ok(
    fresh.some((o) => o.at < swappedAt && o.serial === old),
    'the old pair before',
  );
  const late = fresh.filter((o) => o.at > swappedAt + RELOADED_WITHIN_MS);
  assert.ok(late.some((o) => o.kind === 'h2 new') && late.some((o) => o.kind === 'h1 new'));
  assert.deepEqual(
    late.filter((o) => o.serial !== renewed).map((o) => `${o.kind} at ${Math.round(o.at)} ms`),
    [],
    `connections opened ${RELOADED_WITHIN_MS} ms after the swap show the new pair`,
  );
  await until(() => edge.lines.some((line) => line.msg === 'TLS certificate reloaded'));
});
