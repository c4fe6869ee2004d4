/**
 * The h2 fast path (static/fast-path-h2.ts, on the core stream API) answers
 * each static request exactly as the HTTP/1.1 path on the same port does:
 * status, every header but the connection-specific ones and Date, and body,
 * for 200, 304, 206, HEAD, the precompressed siblings, and the answers it
 * leaves to Fastify (404, 412).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TABLE_CSS } from '../helpers.ts';
import { type Answer, h1Get, h2Get, h2Session, readRoot, startTlsEdge } from './helpers.ts';

/** Not on an h2 response (RFC 9113 §8.2.2) or different on every answer. */
const PER_CONNECTION = new Set(['connection', 'keep-alive', 'date']);

function comparable(headers: IncomingHttpHeaders): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name[0] !== ':' && !PER_CONNECTION.has(name)) out[name] = value;
  }
  return out;
}

function same(h1: Answer, h2: Answer, what: string): void {
  assert.equal(h2.status, h1.status, `${what}: status`);
  assert.deepEqual(comparable(h2.headers), comparable(h1.headers), `${what}: headers`);
  assert.ok(h2.body.equals(h1.body), `${what}: body`);
}

test('h2 static answers equal the HTTP/1.1 ones: 200, 304, 206, HEAD, gzip, br, 404, 412', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const edge = await startTlsEdge(t, { EDGE_TLS_DIR: dir, EDGE_HSTS_MAX_AGE_S: '600' });
  const ca = await readRoot(dir);
  const session = await h2Session(t, edge.tlsPort, ca);
  const url = `/static/${TABLE_CSS}`;
  const first = await h2Get(session, url);
  const etag = String(first.headers.etag);
  const cases: [string, string, Record<string, string>][] = [
    ['200', url, {}],
    ['304', url, { 'if-none-match': etag }],
    ['206', url, { range: 'bytes=3-40' }],
    ['206 suffix', url, { range: 'bytes=-5' }],
    ['If-Range mismatch: 200', url, { range: 'bytes=0-9', 'if-range': '"other"' }],
    ['gzip', url, { 'accept-encoding': 'gzip' }],
    ['br', url, { 'accept-encoding': 'br, gzip;q=0.5' }],
    ['304 gzip', url, { 'accept-encoding': 'gzip', 'if-none-match': etag }],
    ['412', url, { 'if-match': '"nope"' }],
    ['404', '/static/css/missing.3f9a1c2b.css', {}],
    ['query string', `${url}?v=1`, {}],
  ];
  for (const method of ['GET', 'HEAD']) {
    for (const [name, path, headers] of cases) {
      const what = `${method} ${name}`;
      const withId = { ...headers, 'x-request-id': `fast-path-h2-${method}-${name.length}` };
      const h1 = await h1Get(edge.tlsPort, path, ca, { headers: withId, method });
      const h2 = await h2Get(session, path, { ...withId, ':method': method });
      same(h1, h2, what);
    }
  }
  assert.equal(first.headers['strict-transport-security'], 'max-age=600');
});
