/**
 * A real browser through the edge: Debian's Chromium (never a downloaded
 * one), driven by playwright-core, posts the form and sees its entry, with
 * no console error and no failed request. The screenshot is kept in the
 * artifacts folder.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { launchChromium } from '../src/chromium.ts';
import { ARTIFACTS } from '../src/paths.ts';
import { useStack } from '../src/suite.ts';

describe('a real browser through the edge', () => {
  const stack = useStack('browser');

  test('Chromium posts the form and sees the new entry, with no console error or failed request', async (t) => {
    const chromium = await launchChromium();
    t.after(() => chromium.close());
    const browser = chromium.context;

    const problems: string[] = [];
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (req) =>
      problems.push(`failed: ${req.url()} ${req.failure()?.errorText ?? ''}`),
    );
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`${res.status()}: ${res.url()}`);
    });

    const message = `Signed by a real browser ${randomBytes(4).toString('hex')}`;
    // localhost, as a user opens it: Chromium treats it as a trustworthy
    // origin (it would log a console error for the page's
    // Cross-Origin-Opener-Policy on a bare IP such as the docker bridge's).
    const home = new URL(stack().url('/'));
    home.hostname = 'localhost';
    const loaded = await page.goto(home.toString());
    assert.equal(loaded?.status(), 200);
    assert.equal(await page.locator('h1').textContent(), 'Guestbook');
    // The stylesheet applied: the edge's CSS reached the page.
    const styled = await page.evaluate<number>('document.styleSheets.length');
    assert.ok(styled >= 1, 'a stylesheet loaded');

    await page.fill('#author', 'Chromium');
    await page.fill('#message', message);
    await Promise.all([
      page.waitForURL(/[?&]posted=1/),
      page.click('form[action="/entries"] button[type=submit]'),
    ]);
    const entry = page.locator('.entry', { hasText: message });
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await entry.locator('.entry-author').textContent(), 'Chromium');

    const shots = join(ARTIFACTS, 'screenshots');
    await mkdir(shots, { recursive: true });
    // One name: each run replaces the last run's picture.
    const file = join(shots, 'guestbook.png');
    await page.screenshot({ path: file });
    console.log(`# screenshot: ${file}`);
    assert.deepEqual(problems, []);
  });
});
