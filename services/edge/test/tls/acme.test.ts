/**
 * EDGE_TLS_CERTS=acme against a real ACME server (pebble, on loopback):
 * a fresh edge orders one certificate for two names, proving each over
 * HTTP-01 on its plain port (answered by the worker from the token the
 * primary sent), serves it by SNI, verified against pebble's root, keeps
 * the account key and certificate 0600 on the volume, and after a restart
 * serves the stored certificate with no new order.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  certified,
  freePort,
  health,
  leafFor,
  logged,
  metric,
  metrics,
  NAMES,
  startAcmeEdge,
  tlsDir,
  until,
} from './acme-helpers.ts';
import { stop } from './helpers.ts';
import { startPebble } from './pebble.ts';

test('a fresh edge gets a certificate for two names, serves both by SNI, and reuses it after a restart', async (t) => {
  const httpPort = await freePort();
  const pebble = await startPebble(t, { httpPort });
  for (const name of NAMES) await pebble.addName(name);
  const dir = await tlsDir(t);

  const started = performance.now();
  const edge = await startAcmeEdge(t, pebble, httpPort, { EDGE_TLS_DIR: dir });
  await certified(edge, httpPort);
  const firstMs = Math.round(performance.now() - started);
  t.diagnostic(`fresh start to the first certificate: ${firstMs} ms`);
  assert.equal(pebble.issued(), 1, 'one order for both names');
  const issued = await until(
    'the issued line',
    3000,
    () => logged(edge, 'ACME certificate issued')[0],
  );
  t.diagnostic(`the order itself: ${issued?.ms} ms`);
  assert.equal(issued?.names, NAMES.join(','));

  const root = await pebble.root();
  const leaves = await Promise.all(NAMES.map((name) => leafFor(edge.tlsPort, name, root)));
  for (const leaf of leaves) {
    for (const name of NAMES)
      assert.match(leaf.names, new RegExp(`DNS:${name.replace('.', '\\.')}`));
  }
  assert.equal(leaves[0]?.serial, leaves[1]?.serial, 'one certificate covers both names');

  // The plain port: challenges are the edge's own (an unknown token is 404, never redirected or proxied).
  const token = await fetch(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/unknown`, {
    redirect: 'manual',
  });
  assert.equal(token.status, 404);
  const page = await fetch(`http://127.0.0.1:${httpPort}/`, { redirect: 'manual' });
  assert.equal(page.status, 308);

  const text = await metrics(edge.tlsPort, root);
  const expiry = metric(text, /^edge_tls_certificate_expiry_seconds\{name="a\.edge\.test"\} /);
  assert.equal(expiry, Math.floor(Date.parse(leaves[0]?.validTo ?? '') / 1000));
  assert.equal(metric(text, /^edge_acme_renewals_total /), 0);
  assert.equal(metric(text, /^edge_acme_failures_total /), 0);

  const store = join(dir, 'acme', new URL(pebble.directoryUrl).host.replace(':', '_'));
  for (const file of ['account.key', 'key.pem', 'account.json']) {
    assert.equal((await stat(join(store, file))).mode & 0o777, 0o600, file);
  }
  assert.equal((await stat(store)).mode & 0o777, 0o700);
  assert.equal(await stop(edge), 0);

  // A restart on the same volume: the stored certificate at once, no new order.
  const again = await startAcmeEdge(t, pebble, httpPort, { EDGE_TLS_DIR: dir });
  assert.deepEqual(await health(httpPort), { status: 'ok', tls: 'ok' });
  await until(
    'the reuse line',
    3000,
    () => logged(again, 'ACME certificate reused from the volume').length === 1,
  );
  assert.equal((await leafFor(again.tlsPort, NAMES[1] as string, root)).serial, leaves[0]?.serial);
  assert.equal(pebble.issued(), 1, 'pebble saw no new order');
  t.diagnostic(`after the restart: pebble issued ${pebble.issued()} certificate(s) in all`);
  assert.equal(await stop(again), 0);

  // A name added that pebble refuses: the stored certificate's names are still served.
  const grown = await startAcmeEdge(t, pebble, httpPort, {
    EDGE_TLS_DIR: dir,
    EDGE_TLS_NAMES: `${NAMES.join(',')},c.edge.test`,
    EDGE_ACME_RETRY_MS: '60000',
  });
  assert.equal((await leafFor(grown.tlsPort, NAMES[0] as string, root)).serial, leaves[0]?.serial);
  const refused = await until(
    'the refusal',
    15_000,
    () => logged(grown, 'ACME order failed; the current certificate is still served')[0],
  );
  assert.match(String(refused.error), /c\.edge\.test/);
  assert.deepEqual(await health(httpPort), { status: 'ok', tls: 'ok' });
  assert.equal(await stop(grown), 0);
});
