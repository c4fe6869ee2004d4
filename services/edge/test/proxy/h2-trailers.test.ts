/**
 * Upstream trailers (HTTP/1.1 chunked) through the edge's HTTPS port: an h2
 * client gets them as the response's trailing HEADERS, less the
 * connection-specific fields and those no trailer may carry (proxy/h2.ts,
 * `passTrailers`); an HTTP/1.1 client gets none.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http2';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { h2Session, readRoot, startTlsEdge } from '../tls/helpers.ts';
import { startUpstream } from './helpers.ts';

test('upstream trailers reach an h2 client, filtered; an HTTP/1.1 client gets none', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/plain',
      trailer: 'x-checksum, grpc-status',
      // Names a field hop-by-hop (RFC 9110 §7.6.1): dropped from the trailers too.
      connection: 'x-hop, keep-alive',
    });
    res.write('chunked ');
    res.write('body');
    res.addTrailers([
      ['x-checksum', 'sha256=abc'],
      ['grpc-status', '0'],
      ['x-multi', 'a'],
      ['x-multi', 'b'],
      ['x-hop', 'for the next hop only'],
      // Connection-specific, or not allowed in a trailer section: dropped.
      // (Transfer-Encoding here would break the upstream connection's own
      // parsing before the edge sees it; a Connection trailer: trailers.test.ts.)
      ['keep-alive', 'timeout=5'],
      ['proxy-connection', 'keep-alive'],
      ['http2-settings', 'AAMAAABkAARAAAAAAAIAAAAA'],
      ['content-type', 'text/html'],
      ['cache-control', 'no-store'],
      ['set-cookie', 'late=1'],
    ]);
    res.end();
  });
  const dir = await mkdtemp(join(tmpdir(), 'edge-h2-trailers-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const edge = await startTlsEdge(t, {
    EDGE_TLS_DIR: dir,
    EDGE_UPSTREAM: `http://127.0.0.1:${upstream.port}`,
  });
  const ca = await readRoot(dir);

  const session = await h2Session(t, edge.tlsPort, ca);
  const h2 = await new Promise<{ status: number; body: string; trailers: IncomingHttpHeaders }>(
    (resolve, reject) => {
      const stream = session.request({ ':path': '/with-trailers' });
      let status = 0;
      let body = '';
      let trailers: IncomingHttpHeaders = {};
      stream.on('response', (headers) => {
        status = Number(headers[':status']);
      });
      stream.on('trailers', (headers) => {
        trailers = headers;
      });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        body += chunk;
      });
      stream.on('end', () => resolve({ status, body, trailers }));
      stream.on('error', reject);
    },
  );
  assert.equal(h2.status, 200);
  assert.equal(h2.body, 'chunked body');
  assert.equal(h2.trailers['x-checksum'], 'sha256=abc');
  assert.equal(h2.trailers['grpc-status'], '0');
  assert.equal(h2.trailers['x-multi'], 'a, b');
  for (const name of [
    'x-hop',
    'keep-alive',
    'proxy-connection',
    'http2-settings',
    'content-type',
    'cache-control',
    'set-cookie',
  ]) {
    assert.equal(h2.trailers[name], undefined, `${name} in the h2 trailers`);
  }
  // The session goes on after it.
  assert.ok(!session.closed && !session.destroyed);

  const h1 = await new Promise<{ body: string; trailers: NodeJS.Dict<string> }>(
    (resolve, reject) => {
      const req = request(
        {
          host: 'localhost',
          port: edge.tlsPort,
          path: '/with-trailers',
          ca,
          agent: false,
          ALPNProtocols: ['http/1.1'],
          headers: { te: 'trailers' },
        } as import('node:https').RequestOptions,
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ body, trailers: res.trailers }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
  assert.equal(h1.body, 'chunked body');
  assert.deepEqual(h1.trailers, {}, 'no trailers on HTTP/1.1');
  assert.equal(edge.child.exitCode, null);
});
