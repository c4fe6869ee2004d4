/**
 * EDGE_TLS_CERTS=acme renews under load: pebble issues ten-second
 * certificates, so the edge (two workers, both answering the HTTP-01
 * tokens) orders again after six or seven seconds while h2 and HTTP/1.1
 * clients keep requesting, on open sessions and on new connections. No
 * request fails; new connections get the renewed certificate, open
 * sessions keep theirs.
 */
import assert from 'node:assert/strict';
import type { ClientHttp2Session } from 'node:http2';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { h1Fresh, h2Open, withTimeout } from '@stack/shared/testing-tls';
import { TABLE_CSS } from '../helpers.ts';
import { certified, freePort, NAMES, startAcmeEdge, tlsDir } from './acme-helpers.ts';
import { h2Get, stop } from './helpers.ts';
import { startPebble } from './pebble.ts';

const CSS = `/static/${TABLE_CSS}`;
// A request that gets no answer counts as failed rather than hanging the test.
const REQUEST_TIMEOUT_MS = 3000;
const AFTER_RENEWAL_MS = 1000;
const LOAD_LIMIT_MS = 20_000;

type Kind = 'h2 session' | 'h2 new' | 'h1 new';
interface Outcome {
  kind: Kind;
  status: number;
  serial: string;
  error?: string;
}

async function onSession(session: ClientHttp2Session) {
  const { status } = await h2Get(session, CSS);
  return { status, serial: (session.socket as TLSSocket).getPeerCertificate().serialNumber };
}

test('renewal under h2 and HTTP/1.1 load: no request fails, new connections get the new certificate', async (t) => {
  const httpPort = await freePort();
  const pebble = await startPebble(t, { httpPort, validitySeconds: 10 });
  for (const name of NAMES) await pebble.addName(name);
  const edge = await startAcmeEdge(t, pebble, httpPort, {
    EDGE_TLS_DIR: await tlsDir(t),
    EDGE_WORKERS: '2',
  });
  await edge.nextListening();
  await certified(edge, httpPort);
  const root = await pebble.root();
  const sessions = await Promise.all(
    NAMES.map((name) => h2Open({ port: edge.tlsPort, ca: root, servername: name })),
  );
  t.after(() => {
    for (const session of sessions) session.destroy();
  });
  const first = (await onSession(sessions[0] as ClientHttp2Session)).serial;

  const outcomes: Outcome[] = [];
  let renewedAt = 0;
  const t0 = performance.now();
  const going = () => {
    const now = performance.now();
    if (now - t0 > LOAD_LIMIT_MS) return false;
    return renewedAt === 0 || now - renewedAt < AFTER_RENEWAL_MS;
  };
  const client = async (kind: Kind, send: () => Promise<{ status: number; serial: string }>) => {
    while (going()) {
      try {
        const outcome = { kind, ...(await withTimeout(send(), REQUEST_TIMEOUT_MS)) };
        outcomes.push(outcome);
        if (kind !== 'h2 session' && outcome.serial !== first && renewedAt === 0) {
          renewedAt = performance.now();
        }
      } catch (error) {
        outcomes.push({ kind, status: 0, serial: '', error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  const [a, b] = NAMES as [string, string];
  await Promise.all([
    ...sessions.map((session) => client('h2 session', () => onSession(session))),
    client('h2 new', async () => {
      const session = await h2Open({ port: edge.tlsPort, ca: root, servername: a });
      try {
        return await onSession(session);
      } finally {
        session.close();
      }
    }),
    client('h1 new', () => h1Fresh({ port: edge.tlsPort, ca: root, servername: a }, CSS)),
    client('h1 new', () => h1Fresh({ port: edge.tlsPort, ca: root, servername: b }, CSS)),
  ]);

  const failed = outcomes.filter((o) => o.status !== 200);
  t.diagnostic(
    `renewal under load: ${outcomes.length} requests, ${failed.length} failed, renewed after ${Math.round(renewedAt - t0)} ms of load`,
  );
  assert.ok(renewedAt > 0, 'renewed within the load');
  assert.deepEqual(failed.slice(0, 3), [], `no request failed (${failed.length} did)`);
  for (const o of outcomes.filter((o) => o.kind === 'h2 session')) assert.equal(o.serial, first);
  const fresh = outcomes.filter((o) => o.kind !== 'h2 session');
  assert.ok(fresh.some((o) => o.serial === first) && fresh.some((o) => o.serial !== first));
  assert.equal(pebble.issued(), 2);
  assert.equal(await stop(edge), 0);
});
