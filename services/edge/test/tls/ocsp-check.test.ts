/**
 * What may be stapled (src/tls/ocsp.ts `checkResponse`), against responses
 * OpenSSL's own responder and client produced: a good, current response
 * about this leaf passes; one past its nextUpdate, one checked against
 * another issuer, a revoked status and bytes that are not OCSP are refused
 * with the reason. And when the edge asks again (`refreshIn`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkResponse, stapleTarget } from '../../src/tls/ocsp.ts';
import { refreshIn } from '../../src/tls/stapling.ts';
import { ocspFixture } from './ocsp-responder.ts';

const chainOf = async (pair: string) => {
  const { readFile } = await import('node:fs/promises');
  return readFile(pair.split(':')[0] as string, 'utf8');
};

test('a good response passes; expired, another issuer, revoked and garbage are refused', async (t) => {
  const f = await ocspFixture(t);
  await f.respond('valid');
  const target = stapleTarget(await chainOf(f.pair));
  assert.ok(target !== null, 'the leaf names its responder and the chain its issuer');
  const der = await f.fetched();
  const now = new Date();
  const staple = await checkResponse(der, target, now);
  assert.ok(staple.nextUpdate !== null && staple.nextUpdate > now);

  const later = new Date(now.getTime() + 86_400_000);
  await assert.rejects(checkResponse(der, target, later), /expired/);

  const other = await ocspFixture(t);
  const otherTarget = stapleTarget(await chainOf(other.pair));
  assert.ok(otherTarget !== null);
  await assert.rejects(checkResponse(der, otherTarget, now), /signature|another certificate/);

  await assert.rejects(checkResponse(Buffer.from('not ocsp'), target, now), /not an OCSP response/);

  const revoked = await ocspFixture(t);
  await revoked.respond('revoked');
  const revokedTarget = stapleTarget(await chainOf(revoked.pair));
  assert.ok(revokedTarget !== null);
  await assert.rejects(checkResponse(await revoked.fetched(), revokedTarget, now), /revoked/);
});

test('a chain without its issuer is named as the reason; a leaf without a responder is skipped', async (t) => {
  const f = await ocspFixture(t);
  const chain = await chainOf(f.pair);
  const leafOnly = chain.slice(0, chain.indexOf('-----END CERTIFICATE-----') + 25);
  assert.throws(() => stapleTarget(leafOnly), /no issuer certificate/);
  // The CA itself names no responder.
  assert.equal(stapleTarget(f.caPem), null);
});

test('refreshed halfway to nextUpdate, within a minute and twelve hours; hourly without one', () => {
  const now = Date.now();
  const at = (ms: number) => ({
    der: Buffer.alloc(0),
    thisUpdate: new Date(now),
    nextUpdate: new Date(now + ms),
  });
  assert.equal(refreshIn(at(4 * 3_600_000), now), 2 * 3_600_000);
  assert.equal(refreshIn(at(10_000), now), 60_000);
  assert.equal(refreshIn(at(7 * 86_400_000), now), 12 * 3_600_000);
  assert.equal(refreshIn({ ...at(0), nextUpdate: null }, now), 3_600_000);
});
