/**
 * EDGE_ACME_PEERS, the Swarm arrangement: every node's edge orders its own
 * certificate, and the CA's HTTP-01 request may reach any node. Here pebble
 * validates only on edge B's plain port, so edge A's order succeeds only
 * because B, which does not hold A's token, asks its peer A for it. A token
 * no edge holds is still 404, and a peer's own lookups are never forwarded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PEER_HEADER } from '../../src/tls/challenge-answer.ts';
import { certified, freePort, leafFor, NAMES, startAcmeEdge, tlsDir } from './acme-helpers.ts';
import { stop } from './helpers.ts';
import { startPebble } from './pebble.ts';

test('the node the CA reaches answers for the node that ordered (EDGE_ACME_PEERS)', async (t) => {
  const portA = await freePort();
  const portB = await freePort();
  // Pebble reaches B only: the names "resolve" to B's node.
  const pebble = await startPebble(t, { httpPort: portB });
  for (const name of NAMES) await pebble.addName(name);
  const b = await startAcmeEdge(t, pebble, portB, {
    EDGE_TLS_DIR: await tlsDir(t),
    EDGE_ACME_PEERS: `127.0.0.1:${portA}`,
  });
  const a = await startAcmeEdge(t, pebble, portA, {
    EDGE_TLS_DIR: await tlsDir(t),
    EDGE_ACME_PEERS: `localhost:${portB}`,
  });
  await certified(a, portA);
  await certified(b, portB);
  const root = await pebble.root();
  const leafA = await leafFor(a.tlsPort, NAMES[0] as string, root);
  const leafB = await leafFor(b.tlsPort, NAMES[0] as string, root);
  assert.notEqual(leafA.serial, leafB.serial, 'each node ordered its own');
  assert.equal(pebble.issued(), 2);
  // A's tokens were fetched through B, by B, from A.
  const relayed = a.lines.filter(
    (line) => String(line.path).startsWith('/.well-known/acme-challenge/') && line.status === 200,
  );
  assert.ok(relayed.length > 0, 'A answered its peer B');

  const unknown = await fetch(`http://127.0.0.1:${portB}/.well-known/acme-challenge/unknown-token`);
  assert.equal(unknown.status, 404);
  const asPeer = await fetch(`http://127.0.0.1:${portB}/.well-known/acme-challenge/x`, {
    headers: { [PEER_HEADER]: '1' },
  });
  assert.equal(asPeer.status, 404);
  assert.equal(await stop(a), 0);
  assert.equal(await stop(b), 0);
});
