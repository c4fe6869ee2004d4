/**
 * Saves the README's picture of the app's page: opens the running stack's
 * page in headless Chromium (Debian's, never a downloaded browser), posts two
 * records through its form so the page is not empty, and writes the picture
 * to docs/ (its name and the form's fields are in e2e/src/domain.ts).
 *
 *   docker compose up --build --wait && node scripts/screenshot.ts [ORIGIN]
 *
 * Settings: CHROMIUM_PATH (/usr/bin/chromium).
 */
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../e2e/src/chromium.ts';
import { FORM, PAGE_PATH, PICTURE } from '../e2e/src/domain.ts';

const origin = process.argv[2] ?? 'http://localhost:8080';
const home = new URL(PAGE_PATH, origin).toString();
const out = fileURLToPath(new URL(`../docs/${PICTURE}`, import.meta.url));

const chromium = await launchChromium();
const browser = chromium.context;
try {
  const page = await browser.newPage();
  for (const [label, text] of [
    ['Ada', 'The edge served my stylesheet from memory, brotli-compressed.'],
    ['Grace', 'Three app replicas behind one edge, and not one failed request.'],
  ] as const) {
    await page.goto(home);
    await page.fill(FORM.labelField, label);
    await page.fill(FORM.textField, text);
    await Promise.all([page.waitForURL(FORM.posted), page.click(FORM.submit)]);
  }
  // The redirect after a post scrolls to the new record; the picture starts at the top.
  await page.goto(home);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`saved ${out}`);
} finally {
  await chromium.close();
}
