/**
 * OCSP stapling (EDGE_TLS_CERTS=files): a leaf whose certificate names a
 * responder is stapled with a response `openssl ocsp` itself says is good
 * and verifies; a revoked leaf is stapled nothing and the reason logged;
 * EDGE_TLS_OCSP=off staples nothing; handshakes go on in every case.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep, until } from '../proxy/helpers.ts';
import { startTlsEdge } from './helpers.ts';
import { ocspFixture, stapledResponse } from './ocsp-responder.ts';

/** New connections until one is stapled (the primary fetches in the background). */
async function firstStaple(port: number, ca: string): Promise<Buffer> {
  for (let i = 0; i < 100; i++) {
    const stapled = await stapledResponse(port, ca);
    if (stapled !== null) return stapled;
    await sleep(50);
  }
  throw new Error('no connection was stapled an OCSP response');
}

test('a leaf naming a responder is stapled a response OpenSSL verifies as good', async (t) => {
  const f = await ocspFixture(t);
  await f.respond('valid');
  const edge = await startTlsEdge(t, { EDGE_TLS_CERTS: 'files', EDGE_TLS_FILES: f.pair });
  const stapled = await firstStaple(edge.tlsPort, f.caPem);
  const verdict = await f.check(stapled);
  assert.match(verdict, /leaf\.crt: good/);
  assert.match(verdict, /Next Update:/);
  await until(() => edge.lines.some((line) => line.msg === 'OCSP response stapled'));
});

test('a revoked leaf is stapled nothing, the reason logged; handshakes go on', async (t) => {
  const f = await ocspFixture(t);
  await f.respond('revoked');
  const edge = await startTlsEdge(t, { EDGE_TLS_CERTS: 'files', EDGE_TLS_FILES: f.pair });
  const refused = () => edge.lines.find((line) => line.msg === 'OCSP response not stapled');
  await until(() => refused() !== undefined);
  assert.match(String(refused()?.error), /revoked/);
  assert.equal(await stapledResponse(edge.tlsPort, f.caPem), null);
});

test('EDGE_TLS_OCSP=off: no response is fetched or stapled', async (t) => {
  const f = await ocspFixture(t);
  await f.respond('valid');
  const edge = await startTlsEdge(t, {
    EDGE_TLS_CERTS: 'files',
    EDGE_TLS_FILES: f.pair,
    EDGE_TLS_OCSP: 'off',
  });
  for (let i = 0; i < 5; i++) {
    assert.equal(await stapledResponse(edge.tlsPort, f.caPem), null);
    await sleep(100);
  }
  assert.ok(!edge.lines.some((line) => String(line.msg).startsWith('OCSP')));
});
