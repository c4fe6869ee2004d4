import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildStatic, STATIC_SOURCE_DIR } from '../../src/collectstatic/index.ts';
import { testApp } from '../helpers/app.ts';

// These pages need no database: the 404 page is rendered by the same layout
// as the guestbook, with the same headers.

test('HTML pages carry a CSP without inline script, nosniff, a referrer policy and frame-ancestors', async (t) => {
  const res = await testApp(t).inject({ url: '/no-such-page', headers: { accept: 'text/html' } });
  assert.equal(res.statusCode, 404);
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/, "scripts from our origin only: no 'unsafe-inline'");
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /form-action 'self'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin');
  assert.doesNotMatch(res.body, /<script>|<script [^>]*>[^<]/, 'no inline script in the layout');
  assert.doesNotMatch(res.body, / style="/, 'no inline style (the CSP forbids it)');
});

test('the HTML 404 page uses the site layout and carries the error facts', async (t) => {
  const res = await testApp(t).inject({
    url: '/nowhere',
    headers: { accept: 'text/html', 'x-request-id': 'trace-pages-404' },
  });
  assert.equal(res.statusCode, 404);
  assert.match(res.body, /<p class="status">404<\/p>/);
  assert.match(res.body, /<code>not_found<\/code>/);
  assert.match(res.body, /<code>trace-pages-404<\/code>/);
  assert.match(res.body, /<link rel="stylesheet" href="\/static\/css\/app\.[0-9a-f]{8}\.css">/);
});

test('every asset a page names is a hashed file that collectstatic produces', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pages-assets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await buildStatic(STATIC_SOURCE_DIR, dir);
  const res = await testApp(t).inject({ url: '/missing', headers: { accept: 'text/html' } });
  const urls = [...res.body.matchAll(/(?:href|src)="\/static\/([^"]+)"/g)].map((m) => m[1] ?? '');
  assert.ok(urls.length >= 4, `stylesheet, script, icon and logo: ${urls.join(', ')}`);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  const hashed = new Set(Object.values(manifest.files));
  for (const url of urls) {
    assert.match(url, /\.[0-9a-f]{8}\.[a-z]+$/, `${url} is content-hashed`);
    assert.ok(hashed.has(url), `${url} is in the manifest`);
    await access(join(dir, url));
  }
});
