/**
 * A real browser through the edge: Debian's Chromium (never a downloaded
 * one), driven by playwright-core, posts the form and sees its record, with
 * no console error and no failed request; then uploads an image through the
 * form's file input and sees its thumbnail served by the edge. The
 * screenshot is kept in the artifacts folder.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { collectProblems, gotoSettled, launchChromium } from '../src/chromium.ts';
import { FORM, PAGE_HEADING, PAGE_PATH, PICTURE } from '../src/domain.ts';
import { postForm } from '../src/form.ts';
import { ARTIFACTS } from '../src/paths.ts';
import { useStack } from '../src/suite.ts';
import { png } from '../src/upload-files.ts';

describe('a real browser through the edge', () => {
  const stack = useStack('browser');

  test('Chromium posts the form and sees the new record, with no console error or failed request', async (t) => {
    const chromium = await launchChromium();
    t.after(() => chromium.close());
    const browser = chromium.context;

    const page = browser.pages()[0] ?? (await browser.newPage());
    const problems = collectProblems(page);

    // localhost, as a user opens it: Chromium treats it as a trustworthy
    // origin (it would log a console error for the page's
    // Cross-Origin-Opener-Policy on a bare IP such as the docker bridge's).
    const home = new URL(stack().url(PAGE_PATH));
    home.hostname = 'localhost';
    const loaded = await gotoSettled(page, home.toString(), problems);
    assert.equal(loaded?.status(), 200);
    assert.equal(await page.locator('h1').textContent(), PAGE_HEADING);
    // The stylesheet applied: the edge's CSS reached the page.
    const styled = await page.evaluate<number>('document.styleSheets.length');
    assert.ok(styled >= 1, 'a stylesheet loaded');

    const { text } = await postForm(
      page,
      home.toString(),
      { label: 'Chromium', prefix: 'Signed by a real browser' },
      problems,
    );
    const record = page.locator(FORM.record, { hasText: text });
    await record.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await record.locator(FORM.recordLabel).textContent(), 'Chromium');

    const shots = join(ARTIFACTS, 'screenshots');
    await mkdir(shots, { recursive: true });
    // One name: each run replaces the last run's picture.
    const file = join(shots, PICTURE);
    await page.screenshot({ path: file });
    console.log(`# screenshot: ${file}`);
    assert.deepEqual(problems.lines, []);
  });

  test('Chromium uploads an image through the file input, sees its preview, then the stored thumbnail', async (t) => {
    const chromium = await launchChromium();
    t.after(() => chromium.close());
    const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    const problems = collectProblems(page);
    const home = new URL(stack().url(PAGE_PATH));
    home.hostname = 'localhost';
    await gotoSettled(page, home.toString(), problems);
    const file = { name: 'from-chromium.png', type: 'image/png', data: png(240, 160) };
    await page.setInputFiles(FORM.fileField, {
      name: file.name,
      mimeType: file.type,
      buffer: file.data,
    });
    // The preview (app.js, a blob: URL the page's CSP allows) decoded the chosen file.
    const preview = page.locator(`${FORM.fileField}-preview`);
    await preview.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(
      await preview.evaluate((img: { decode(): Promise<void>; naturalWidth: number }) =>
        img.decode().then(() => img.naturalWidth),
      ),
      240,
    );

    const { text } = await postForm(
      page,
      home.toString(),
      { label: 'Uploader', prefix: 'With a picture', file },
      problems,
    );
    const record = page.locator(FORM.record, { hasText: text });
    await record.waitFor({ state: 'visible', timeout: 10_000 });
    const thumbnail = record.locator(FORM.recordImage);
    // Loaded from the edge's /media/ and decoded by the browser as an image.
    const width = await thumbnail.evaluate(
      (img: { decode(): Promise<void>; naturalWidth: number }) =>
        img.decode().then(() => img.naturalWidth),
    );
    assert.ok(width > 0 && width <= 320, `thumbnail ${width} px wide`);
    assert.match((await thumbnail.getAttribute('src')) ?? '', /^\/media\//);
    assert.deepEqual(problems.lines, []);
  });
});
