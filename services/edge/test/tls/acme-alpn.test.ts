/**
 * EDGE_ACME_CHALLENGE=tls-alpn-01: an edge reachable only on its HTTPS port
 * still gets its certificate. Pebble's HTTP-01 port is one nothing listens
 * on, its TLS-ALPN-01 port the edge's HTTPS port: the order succeeds only
 * through the `acme-tls/1` handshake. Ordinary h2 and HTTP/1.1 clients are
 * served as before, and `acme-tls/1` for a name not under validation fails.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { certified, freePort, leafFor, NAMES, startAcmeEdge, tlsDir } from './acme-helpers.ts';
import { h1Get, h2Get, stop } from './helpers.ts';
import { startPebble } from './pebble.ts';

test('tls-alpn-01: certified through the HTTPS port alone; other clients unaffected', async (t) => {
  const httpPort = await freePort();
  const tlsPort = await freePort();
  const closed = await freePort();
  const pebble = await startPebble(t, { httpPort: closed, tlsPort });
  for (const name of NAMES) await pebble.addName(name);
  const edge = await startAcmeEdge(t, pebble, httpPort, {
    EDGE_TLS_DIR: await tlsDir(t),
    EDGE_TLS_PORT: String(tlsPort),
    EDGE_ACME_CHALLENGE: 'tls-alpn-01',
  });
  await certified(edge, httpPort);
  const root = await pebble.root();
  const leaf = await leafFor(tlsPort, NAMES[1] as string, root);
  assert.match(leaf.names, /DNS:a\.edge\.test/);

  const session = http2.connect(`https://127.0.0.1:${tlsPort}`, { ca: root, servername: NAMES[0] });
  t.after(() => session.destroy());
  assert.equal((await h2Get(session, '/_edge/healthz')).status, 200);
  const h1 = await h1Get(tlsPort, '/_edge/healthz', root, {
    host: '127.0.0.1',
    servername: NAMES[0],
  });
  assert.equal(h1.alpn, 'http/1.1');
  assert.equal(h1.status, 200);
  // No challenge open now: `acme-tls/1` is refused (no protocol in common).
  await assert.rejects(
    new Promise((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: tlsPort,
        servername: NAMES[0],
        ALPNProtocols: ['acme-tls/1'],
        ca: root,
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(socket.alpnProtocol);
      });
      socket.once('error', reject);
    }),
  );
  assert.equal(await stop(edge), 0);
});
