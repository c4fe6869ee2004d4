import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { get, PATHS, startForPath } from './helpers.ts';

// Accept-Encoding → the coding served (undefined: identity).
const CASES: [acceptEncoding: string | undefined, expected: 'br' | 'gzip' | undefined][] = [
  [undefined, undefined],
  ['', undefined],
  ['gzip', 'gzip'],
  ['br', 'br'],
  ['gzip, deflate, br', 'br'], // a tie: br preferred
  ['br;q=0, gzip', 'gzip'], // q=0 excludes
  ['br;q=0.5, gzip;q=0.8', 'gzip'], // the higher q wins
  ['br;q=0.9, gzip;q=0.8', 'br'],
  ['gzip;q=0, br;q=0', undefined], // nothing acceptable: identity
  ['identity', undefined],
  ['gzip;q=0.5, identity', undefined], // identity at q=1 beats gzip at 0.5
  ['deflate', undefined], // nothing we have
  ['*', 'br'],
  ['GZIP', 'gzip'], // codings are case-insensitive
];

function decode(body: Buffer, encoding: string | undefined): string {
  if (encoding === 'br') return brotliDecompressSync(body).toString();
  if (encoding === 'gzip') return gunzipSync(body).toString();
  return body.toString();
}

for (const path of PATHS) {
  test(`precompressed siblings by Accept-Encoding (${path.name})`, async (t) => {
    const { port, url, text } = await startForPath(t, path);
    const identity = await get(port, url);

    for (const [acceptEncoding, expected] of CASES) {
      await t.test(
        `Accept-Encoding ${JSON.stringify(acceptEncoding)} → ${expected ?? 'identity'}`,
        async () => {
          const headers: Record<string, string> =
            acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
          const answer = await get(port, url, headers);
          assert.equal(answer.status, 200);
          assert.equal(answer.headers['content-encoding'], expected);
          assert.equal(answer.headers.vary, 'Accept-Encoding');
          assert.equal(answer.headers['content-type'], 'text/css; charset=utf-8');
          assert.equal(answer.headers['content-length'], String(answer.body.length));
          assert.equal(decode(answer.body, expected), text);
        },
      );
    }

    await t.test('each representation has its own ETag, and 304s only for its own', async () => {
      const br = await get(port, url, { 'accept-encoding': 'br' });
      const gz = await get(port, url, { 'accept-encoding': 'gzip' });
      const tags = new Set([identity.headers.etag, br.headers.etag, gz.headers.etag]);
      assert.equal(tags.size, 3);
      const brEtag = String(br.headers.etag);
      const again = await get(port, url, { 'accept-encoding': 'br', 'if-none-match': brEtag });
      assert.equal(again.status, 304);
      const other = await get(port, url, { 'accept-encoding': 'gzip', 'if-none-match': brEtag });
      assert.equal(other.status, 200, "br's ETag must not validate the gzip bytes");
    });

    await t.test('Vary: Accept-Encoding on identity answers too', () => {
      assert.equal(identity.headers.vary, 'Accept-Encoding');
    });
  });
}

test('a file with no siblings is served as identity whatever is accepted', async (t) => {
  const { port } = await startForPath(t, PATHS[0]);
  const answer = await get(port, '/static/robots.txt', { 'accept-encoding': 'br, gzip' });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['content-encoding'], undefined);
  assert.equal(answer.headers.vary, 'Accept-Encoding');
});
