/**
 * Saves the README's picture of the guestbook: opens the running stack's page
 * in headless Chromium (Debian's, never a downloaded browser), posts two
 * entries so the page is not empty, and writes docs/guestbook.png.
 *
 *   docker compose up --build --wait && node scripts/screenshot.ts [ORIGIN]
 *
 * Settings: CHROMIUM_PATH (/usr/bin/chromium).
 */
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../e2e/src/chromium.ts';

const origin = process.argv[2] ?? 'http://localhost:8080';
const out = fileURLToPath(new URL('../docs/guestbook.png', import.meta.url));

const chromium = await launchChromium();
const browser = chromium.context;
try {
  const page = await browser.newPage();
  for (const [author, message] of [
    ['Ada', 'The edge served my stylesheet from memory, brotli-compressed.'],
    ['Grace', 'Three app replicas behind one edge, and not one failed request.'],
  ] as const) {
    await page.goto(origin);
    await page.fill('#author', author);
    await page.fill('#message', message);
    await Promise.all([
      page.waitForURL(/posted=1/),
      page.click('form[action="/entries"] button[type=submit]'),
    ]);
  }
  // The redirect after a post scrolls to the new entry; the picture starts at the top.
  await page.goto(origin);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`saved ${out}`);
} finally {
  await chromium.close();
}
