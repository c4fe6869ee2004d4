/**
 * A real browser over HTTPS, trusting the stack's local CA the way a person
 * does: root.crt copied out of the edge's volume (`docker compose cp`) and
 * imported with `certutil` into the NSS database Chromium reads on Linux
 * ($HOME/.pki/nssdb, a fresh HOME per browser). No certificate error is
 * ignored anywhere: a browser whose database lacks the CA must refuse the
 * page, which is what proves the first one's trust came from the import.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { collectProblems, gotoSettled, launchChromium } from '../src/chromium.ts';
import { FORM, PAGE_HEADING, PAGE_PATH } from '../src/domain.ts';
import { copyLocalCa, httpsPort } from '../src/edge-tls.ts';
import { postForm } from '../src/form.ts';
import { eventually, staticPaths } from '../src/http.ts';
import { nssHome } from '../src/nss.ts';
import { useStack } from '../src/suite.ts';

interface Seen {
  protocol: string;
  status: number;
  securityState: string;
}

/** Every response the page receives as Chromium's network layer saw it (CDP). */
async function recordProtocols(page: Page): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Network.responseReceived', ({ response }) => {
    seen.set(response.url, {
      protocol: response.protocol ?? '',
      status: response.status,
      securityState: response.securityState,
    });
  });
  await cdp.send('Network.enable');
  return seen;
}

/** The protocol the current document came over, as the page itself reports it. */
function navigationProtocol(page: Page): Promise<string> {
  // A string: the e2e project has no DOM types.
  return page.evaluate<string>(
    "performance.getEntriesByType('navigation')[0]?.nextHopProtocol ?? ''",
  );
}

/** The common name in a certificate's subject (what Chromium reports as an issuer). */
function commonName(pem: string): string {
  const subject = new X509Certificate(pem).subject;
  return /^CN=(.*)$/m.exec(subject)?.[1] ?? subject;
}

describe('a real browser over HTTPS, trusting the local CA', () => {
  const stack = useStack('https-browser');
  let scratch = '';
  let ca = { file: '', pem: '' };
  let home = '';

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'e2e-https-browser-'));
    ca = await copyLocalCa(stack(), scratch);
    // localhost, as a person types it: a name the leaf carries.
    home = new URL(PAGE_PATH, `https://localhost:${await httpsPort(stack())}`).toString();
  });

  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('with the CA imported: the page and its assets over h2, the form posted, no error', async (t) => {
    const trust = await nssHome([ca.file]);
    t.after(() => trust.close());
    const chromium = await launchChromium({ home: trust.home });
    t.after(() => chromium.close());
    const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    const problems = collectProblems(page);
    const seen = await recordProtocols(page);

    const loaded = await gotoSettled(page, home, problems);
    assert.equal(loaded?.status(), 200);
    assert.equal(await page.locator('h1').textContent(), PAGE_HEADING);
    // The stack's own CA vouched for the page, not some other trust anchor.
    const details = await loaded?.securityDetails();
    assert.equal(details?.issuer, commonName(ca.pem));
    assert.equal(seen.get(home)?.protocol, 'h2');
    assert.equal(seen.get(home)?.securityState, 'secure');
    assert.equal(await navigationProtocol(page), 'h2');

    // Every asset the page names was fetched by the browser, over h2.
    const assets = staticPaths((await loaded?.text()) ?? '').map((path) =>
      new URL(path, home).toString(),
    );
    assert.ok(assets.length >= 3, `assets named: ${assets.join(', ')}`);
    await page.waitForLoadState('load');
    // The CDP session's events come on their own channel and may trail the
    // load event Playwright saw on its own; wait for them, briefly.
    await eventually(
      async () => {
        for (const asset of assets) {
          assert.deepEqual(
            seen.get(asset),
            { protocol: 'h2', status: 200, securityState: 'secure' },
            `${asset} (seen: ${[...seen.keys()].join(', ')})`,
          );
        }
      },
      { timeoutMs: 5_000 },
    );
    const styled = await page.evaluate<number>('document.styleSheets.length');
    assert.ok(styled >= 1, 'a stylesheet applied');

    // The form posted through the page, over HTTPS, and its record shown.
    const { text } = await postForm(
      page,
      home,
      { label: 'Chromium over HTTPS', prefix: 'Signed over h2' },
      problems,
    );
    assert.equal(new URL(page.url()).protocol, 'https:');
    const record = page.locator(FORM.record, { hasText: text });
    await record.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await record.locator(FORM.recordLabel).textContent(), 'Chromium over HTTPS');
    assert.equal(await navigationProtocol(page), 'h2');
    const landed = [...seen].find(([url]) => FORM.posted.test(url))?.[1];
    assert.equal(landed?.protocol, 'h2');
    assert.equal(landed?.status, 200);

    assert.deepEqual(problems.lines, []);
  });

  test('with an empty NSS database the same page is refused: ERR_CERT_AUTHORITY_INVALID', async (t) => {
    const untrusting = await nssHome();
    t.after(() => untrusting.close());
    const chromium = await launchChromium({ home: untrusting.home });
    t.after(() => chromium.close());
    const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    // Settled: another stack's Docker network coming up can make Chromium
    // drop the attempt with ERR_NETWORK_CHANGED before it reaches the certificate.
    await assert.rejects(gotoSettled(page, home), /net::ERR_CERT_AUTHORITY_INVALID/);
  });
});
