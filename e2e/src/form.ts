/**
 * The page's form, filled and posted by a real browser (see `FORM` in
 * domain.ts for what the page is made of).
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { type Problems, settled } from './chromium.ts';
import { FORM } from './domain.ts';

export interface Posted {
  /** The text that was posted and should now be shown. */
  text: string;
}

/**
 * Fills the form on `home` with `label` and a fresh text starting with
 * `prefix` (and chooses `file` in its file input), posts it and waits for the redirect. When Chromium drops the
 * post for a network change (see `settled`), the page is loaded again and
 * a new text posted, so the record looked for is the one that landed with
 * its redirect (an earlier one may have landed too, unseen).
 */
export function postForm(
  page: Page,
  home: string,
  fields: { label: string; prefix: string; file?: { name: string; type: string; data: Buffer } },
  problems: Problems,
): Promise<Posted> {
  return settled(problems, async (attempt) => {
    if (attempt > 1) await page.goto(home);
    const text = `${fields.prefix} ${randomBytes(4).toString('hex')}`;
    await page.fill(FORM.labelField, fields.label);
    await page.fill(FORM.textField, text);
    if (fields.file) {
      const { name, type, data } = fields.file;
      await page.setInputFiles(FORM.fileField, { name, mimeType: type, buffer: data });
    }
    await Promise.all([page.waitForURL(FORM.posted), page.click(FORM.submit)]);
    return { text };
  });
}
