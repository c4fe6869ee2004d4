/**
 * EDGE_TLS_CERTS=acme when the ACME server says no or is gone: a name
 * that does not resolve to the edge is one log line with pebble's error,
 * no crash, `tls: pending` and failing handshakes while the plain port
 * still serves, then a certificate once the name resolves; and an ACME
 * server down at renewal time leaves the current certificate served, is
 * retried with backoff, and renews once it is back.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
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

const NOWHERE = 'nowhere.edge.test';

/** The edge's one line for an order that failed with no certificate to serve. */
const orderFailed = (edge: Parameters<typeof logged>[0]) =>
  until(
    'the failure line',
    15_000,
    () =>
      logged(
        edge,
        'ACME order failed; no certificate yet, HTTPS handshakes fail until one is issued',
      )[0],
  );

test('a refused order is one clear line and no crash; the edge is pending until the name resolves', async (t) => {
  const httpPort = await freePort();
  const pebble = await startPebble(t, { httpPort });
  await pebble.addName(NAMES[0] as string);
  const edge = await startAcmeEdge(t, pebble, httpPort, {
    EDGE_TLS_DIR: await tlsDir(t),
    EDGE_TLS_NAMES: `${NAMES[0]},${NOWHERE}`,
    EDGE_ACME_RETRY_MS: '300',
  });
  const failed = await orderFailed(edge);
  assert.match(String(failed.error), new RegExp(NOWHERE.replace(/\./g, '\\.')), 'names the name');
  assert.equal(typeof failed.retryInMs, 'number');
  assert.doesNotMatch(String(failed.error), /\n/);
  assert.equal(edge.child.exitCode, null, 'still running');

  // Pending: the plain port serves health and redirects, handshakes fail.
  assert.deepEqual(await health(httpPort), { status: 'ok', tls: 'pending' });
  const page = await fetch(`http://127.0.0.1:${httpPort}/some/page`, { redirect: 'manual' });
  assert.equal(page.status, 308);
  await assert.rejects(leafFor(edge.tlsPort, NAMES[0] as string, await pebble.root()));

  await pebble.addName(NOWHERE);
  await certified(edge, httpPort);
  const leaf = await leafFor(edge.tlsPort, NOWHERE, await pebble.root());
  assert.match(leaf.names, /DNS:nowhere\.edge\.test/);
  const text = await metrics(edge.tlsPort, await pebble.root());
  assert.ok((metric(text, /^edge_acme_failures_total /) ?? 0) >= 1);
  assert.equal(metric(text, /^edge_acme_renewals_total /), 0, 'a first certificate is no renewal');
  assert.equal(await stop(edge), 0);
});

test('pebble down at renewal time: the current certificate is still served, retried, renewed once it is back', async (t) => {
  const httpPort = await freePort();
  // Ten-second certificates: renewal falls due after six or seven.
  const pebble = await startPebble(t, { httpPort, validitySeconds: 10 });
  for (const name of NAMES) await pebble.addName(name);
  const edge = await startAcmeEdge(t, pebble, httpPort, {
    EDGE_TLS_DIR: await tlsDir(t),
    EDGE_ACME_RETRY_MS: '300',
  });
  await certified(edge, httpPort);
  const oldRoot = await pebble.root();
  const first = await leafFor(edge.tlsPort, NAMES[0] as string, oldRoot);
  await pebble.stop();

  const failed = await until(
    'a failed renewal',
    15_000,
    () => logged(edge, 'ACME order failed; the current certificate is still served')[0],
  );
  assert.match(String(failed.error), /ECONNREFUSED|connect/);
  // Still served, the same certificate.
  assert.equal((await leafFor(edge.tlsPort, NAMES[0] as string, oldRoot)).serial, first.serial);
  assert.equal(edge.child.exitCode, null);

  await pebble.restart();
  const newRoot = await pebble.root();
  const renewed = await until('the renewal', 20_000, async () => {
    const leaf = await leafFor(edge.tlsPort, NAMES[1] as string, newRoot);
    return leaf.serial !== first.serial && leaf;
  });
  assert.ok(renewed);
  assert.match(renewed.names, /DNS:a\.edge\.test/);
  const text = await metrics(edge.tlsPort, newRoot);
  assert.ok((metric(text, /^edge_acme_renewals_total /) ?? 0) >= 1);
  assert.ok((metric(text, /^edge_acme_failures_total /) ?? 0) >= 1);
  assert.equal(await stop(edge), 0);
});

test('a damaged account key is one line naming the file, never replaced; HTTPS stays pending', async (t) => {
  const httpPort = await freePort();
  const pebble = await startPebble(t, { httpPort });
  for (const name of NAMES) await pebble.addName(name);
  const dir = await tlsDir(t);
  const store = join(dir, 'acme', new URL(pebble.directoryUrl).host.replace(':', '_'));
  await mkdir(store, { recursive: true });
  await writeFile(join(store, 'account.key'), 'not a key', { mode: 0o600 });
  const edge = await startAcmeEdge(t, pebble, httpPort, { EDGE_TLS_DIR: dir });
  const failed = await orderFailed(edge);
  assert.match(String(failed.error), /account\.key: not a private key/);
  assert.deepEqual(await health(httpPort), { status: 'ok', tls: 'pending' });
  assert.equal(pebble.issued(), 0);
  assert.equal(await stop(edge), 0);
});
