/**
 * The edge gets and renews its own certificates over ACME, through the real
 * compose stack with the ACME overlay (e2e/acme/): pebble in a container of
 * its own on the front network, the names network aliases of the edge, so
 * pebble validates HTTP-01 on the edge's plain port. Pebble issues
 * 30-second certificates, so a renewal falls due about 19 s after each
 * issue. One stack; the tests run in order, each on what the last left.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { ACME_NAMES, issuedCount, leafFor, makeAcmeDir, pebbleRoot } from '../src/acme.ts';
import { tlsLoad } from '../src/acme-load.ts';
import { waitHealthy } from '../src/containers.ts';
import { httpsPort } from '../src/edge-tls.ts';
import { eventually } from '../src/http.ts';
import { logLines } from '../src/log-lines.ts';
import { composeWith } from '../src/stack-down.ts';
import { useStack } from '../src/suite.ts';

const FILES = ['compose.yaml', 'e2e/acme/compose.acme.yaml'];
const [A, B] = ACME_NAMES;

async function edgeHealth(origin: string): Promise<{ status: string; tls?: string }> {
  return (await (await fetch(`${origin}/_edge/healthz`)).json()) as {
    status: string;
    tls?: string;
  };
}

describe('the edge gets and renews its own certificates over ACME (pebble)', () => {
  const acme = makeAcmeDir(30);
  const env = { ACME_TEST_DIR: acme.dir, EDGE_TLS_NAMES: ACME_NAMES.join(',') };
  const stack = useStack('acme', { files: FILES, env });
  after(() => rmSync(acme.dir, { recursive: true, force: true }));
  let root = '';
  let serial = '';

  const edgeLines = async (message: string) =>
    (await logLines(stack().artifacts, 'edge')).filter((line) => line.msg === message);

  test('a fresh start: one certificate for both names, served by SNI, verified against pebble', async (t) => {
    await eventually(async () => assert.equal((await edgeHealth(stack().origin)).tls, 'ok'));
    const [issued] = await eventually(async () => {
      const lines = await edgeLines('ACME certificate issued');
      assert.ok(lines.length > 0);
      return lines;
    });
    const startedAt = (await (await stack().container('edge')).inspect()).State.StartedAt;
    t.diagnostic(
      `edge start → first certificate: ${(Number(issued?.time) - Date.parse(startedAt)) / 1000} s (the order itself ${issued?.ms} ms)`,
    );
    root = await pebbleRoot(stack(), acme);
    const port = await httpsPort(stack());
    const leaves = await Promise.all(ACME_NAMES.map((name) => leafFor(port, name, root)));
    for (const leaf of leaves)
      assert.match(
        leaf.names,
        /DNS:a\.edge\.test.*DNS:b\.edge\.test|DNS:b\.edge\.test.*DNS:a\.edge\.test/,
      );
    serial = leaves[0]?.serial ?? '';
    assert.equal(leaves[1]?.serial, serial);
    // The plain port: challenges are the edge's own, everything else is redirected.
    const token = await fetch(stack().url('/.well-known/acme-challenge/none'), {
      redirect: 'manual',
    });
    assert.equal(token.status, 404);
    assert.equal((await fetch(stack().url('/'), { redirect: 'manual' })).status, 308);
  });

  test('a restart reuses the stored certificate: pebble sees no new order', async (t) => {
    const before = await issuedCount(stack());
    assert.ok(before >= 1);
    await stack().run('restart', 'edge');
    await waitHealthy(await stack().container('edge'));
    const origin = await stack().refreshOrigin();
    assert.deepEqual(await edgeHealth(origin), { status: 'ok', tls: 'ok' });
    assert.equal((await leafFor(await httpsPort(stack()), B, root)).serial, serial);
    await eventually(async () => {
      assert.equal((await edgeLines('ACME certificate reused from the volume')).length, 1);
    });
    assert.equal(await issuedCount(stack()), before, 'no new certificate issued');
    t.diagnostic(
      `restart: the stored certificate served (serial ${serial}); pebble issued ${before} before and after`,
    );
  });

  test('renewal under load: no request fails, new connections get the new certificate', async (t) => {
    const port = await httpsPort(stack());
    let renewedAt = 0;
    const outcomes = await tlsLoad({
      port,
      names: ACME_NAMES,
      ca: root,
      path: '/_edge/healthz',
      limitMs: 40_000,
      done: (seen) => {
        if (
          renewedAt === 0 &&
          seen.some((o) => o.kind !== 'h2 session' && o.serial !== '' && o.serial !== serial)
        ) {
          renewedAt = performance.now();
        }
        return renewedAt > 0 && performance.now() - renewedAt > 1000;
      },
    });
    const failed = outcomes.filter((o) => o.status !== 200);
    t.diagnostic(`renewal under load: ${outcomes.length} requests, ${failed.length} failed`);
    assert.ok(renewedAt > 0, 'renewed within the load');
    assert.deepEqual(failed.slice(0, 3), [], `no request failed (${failed.length} did)`);
    const renewed = outcomes.find((o) => o.kind !== 'h2 session' && o.serial !== serial)?.serial;
    assert.ok(renewed);
    for (const o of outcomes.filter((o) => o.kind === 'h2 session')) assert.equal(o.serial, serial);
    serial = renewed;
  });

  test('pebble down at renewal: the certificate is still served, retried, renewed once pebble is back', async () => {
    const pebble = await stack().container('pebble');
    await pebble.stop({ t: 0 });
    const port = await httpsPort(stack());
    await eventually(
      async () => {
        const failures = await edgeLines(
          'ACME order failed; the current certificate is still served',
        );
        assert.ok(failures.some((line) => /pebble/.test(String(line.error))));
      },
      { timeoutMs: 40_000 },
    );
    assert.equal((await leafFor(port, A, root)).serial, serial, 'still served');
    await pebble.start();
    const newRoot = await eventually(() => pebbleRoot(stack(), acme));
    const renewed = await eventually(
      async () => {
        const leaf = await leafFor(port, A, newRoot);
        assert.notEqual(leaf.serial, serial);
        return leaf;
      },
      { timeoutMs: 30_000 },
    );
    assert.match(renewed.names, /DNS:b\.edge\.test/);
    root = newRoot;
  });

  test('a refused order (a name that does not resolve to the edge): one clear line, no crash', async () => {
    // The edge recreated with one name more: pebble cannot resolve it.
    const names = `${ACME_NAMES.join(',')},nowhere.edge.test`;
    await composeWith(
      stack().project,
      { HTTP_PORT: '0', HTTPS_PORT: '0', ...env, EDGE_TLS_NAMES: names },
      FILES,
      'up',
      '-d',
      '--no-deps',
      '--wait',
      'edge',
    );
    const origin = await stack().refreshOrigin();
    const refused = await eventually(
      async () => {
        const lines = (await logLines(stack().artifacts, 'edge')).filter(
          (line) =>
            String(line.msg).startsWith('ACME order failed') &&
            /nowhere\.edge\.test/.test(String(line.error)),
        );
        assert.ok(lines.length > 0);
        return lines[0];
      },
      { timeoutMs: 30_000 },
    );
    assert.doesNotMatch(String(refused?.error), /\n/);
    assert.equal(typeof refused?.retryInMs, 'number');
    // Running and healthy, still serving the stored certificate's names.
    assert.deepEqual(await edgeHealth(origin), { status: 'ok', tls: 'ok' });
    assert.ok(await leafFor(await httpsPort(stack()), A, root));
  });
});
