/**
 * The stapler's life over time (src/tls/stapling.ts), around a source of
 * one leaf: a responder that is down at start is asked again after the
 * retry and the staple then reaches the workers' material; a reload that
 * brings the same certificate keeps its staple at once; close stops the
 * timers. Against `openssl ocsp`, as ocsp.test.ts.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { CertificateMaterial } from '../../src/tls/messages.ts';
import { withStapling } from '../../src/tls/stapling.ts';
import { until } from '../proxy/helpers.ts';
import { ocspFixture } from './ocsp-responder.ts';

test('a responder down at start is retried; a reload of the same certificate keeps the staple', async (t) => {
  const f = await ocspFixture(t);
  const [chain, key] = f.pair.split(':') as [string, string];
  const material: CertificateMaterial = {
    cert: await readFile(chain, 'utf8'),
    key: await readFile(key, 'utf8'),
    names: ['localhost'],
  };
  let reload: (m: CertificateMaterial[]) => void = () => {};
  const errors: string[] = [];
  const seen: CertificateMaterial[][] = [];
  const stapler = withStapling(
    {
      start: async () => [material],
      onChange: (listener) => {
        reload = listener;
      },
      close: () => {},
    },
    { log: { info() {}, error: (fields) => errors.push(JSON.stringify(fields)) }, retryMs: 200 },
  );
  t.after(() => stapler.close());
  stapler.onChange((next) => seen.push(next));
  const first = await stapler.start();
  assert.equal(first[0]?.ocsp, undefined, 'served at once, unstapled');

  await until(() => errors.length > 0);
  assert.match(errors[0] ?? '', /ECONNREFUSED|fetch failed/);
  await f.respond('valid');
  await until(() => seen.some((set) => set[0]?.ocsp !== undefined));
  const stapled = seen.find((set) => set[0]?.ocsp !== undefined)?.[0]?.ocsp as string;
  assert.match(await f.check(Buffer.from(stapled, 'base64')), /leaf\.crt: good/);

  // The files source reloads the same pair (a touched file): the staple goes with it at once.
  const before = seen.length;
  reload([{ ...material }]);
  assert.equal(seen.length, before + 1);
  assert.equal(seen.at(-1)?.[0]?.ocsp, stapled);
});
