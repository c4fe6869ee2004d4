/**
 * HTTPS on the compose stack as users run it: the edge's local CA copied out
 * of its volume exactly as services/edge/README.md says (`docker compose cp`),
 * then the page and its assets over HTTP/2 trusting only that CA, and the
 * same page over HTTP/1.1 on the same port.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { PAGE_HEADING_HTML, PAGE_PATH } from '../src/domain.ts';
import { copyLocalCa, httpsPort } from '../src/edge-tls.ts';
import { h2Get } from '../src/h2.ts';
import { staticPaths } from '../src/http.ts';
import { type Stack, startStack } from '../src/stack.ts';

let stack: Stack | undefined;
let ca = '';
let port = 0;
const origin = () => `https://localhost:${port}`;
const scratch = mkdtempSync(join(tmpdir(), 'e2e-https-'));

interface Answer {
  status: number;
  body: string;
}

function h1Get(path: string): Promise<Answer & { alpn: string }> {
  return new Promise((resolve, reject) => {
    // An IP address: the leaf names 127.0.0.1 too (EDGE_TLS_NAMES' default).
    const options = { host: '127.0.0.1', port, path, ca, ALPNProtocols: ['http/1.1'] };
    const req = request(options, (res) => {
      // Read now: the socket goes back to the agent once the body has ended.
      const alpn = String((res.socket as TLSSocket).alpnProtocol);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, alpn }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS through the edge, trusting its local CA', () => {
  before(async () => {
    stack = await startStack('https');
    port = await httpsPort(stack);
    ca = (await copyLocalCa(stack, scratch)).pem;
  });

  after(async () => {
    await stack?.down();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('the page and every asset it names load over h2', async () => {
    const [page] = (await h2Get(origin(), [PAGE_PATH], ca)).answers;
    assert.equal(page?.status, 200);
    assert.match(page?.body ?? '', PAGE_HEADING_HTML);
    const assets = staticPaths(page?.body ?? '');
    assert.ok(assets.length >= 3, `assets named: ${assets.join(', ')}`);
    const { alpn, answers } = await h2Get(origin(), assets, ca);
    assert.equal(alpn, 'h2');
    assert.deepEqual(
      answers.map((a) => a.status),
      assets.map(() => 200),
    );
  });

  test('HTTP/1.1 on the same port, for 127.0.0.1 too', async () => {
    const page = await h1Get(PAGE_PATH);
    assert.equal(page.status, 200);
    assert.equal(page.alpn, 'http/1.1');
    assert.match(page.body, PAGE_HEADING_HTML);
  });
});
