/**
 * Debian's Chromium under playwright-core, as these machines and CI run it:
 * never a downloaded browser, a fresh profile each time (removed on close),
 * and the flags that keep it off the network it has no business reaching.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Setting: the browser binary to drive. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  // Without these, Chromium keeps trying to reach Google's services, which a
  // closed network refuses many times a second.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium extends AsyncDisposable {
  context: BrowserContext;
  close(): Promise<void>;
}

export interface ChromiumOptions {
  /**
   * HOME for the browser: on Linux Chromium takes the certificates a user
   * trusts from `$HOME/.pki/nssdb` (see `nss.ts`). The caller's HOME otherwise.
   */
  home?: string;
}

export async function launchChromium(options: ChromiumOptions = {}): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1000, height: 900 },
    args: FLAGS,
    ...(options.home ? { env: { ...process.env, HOME: options.home } } : {}),
  });
  const close = async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  };
  return { context, close, [Symbol.asyncDispose]: close };
}

/** Console errors, page errors, failed requests and 4xx/5xx answers, as lines. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
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
  return problems;
}

const NETWORK_CHANGED = 'net::ERR_NETWORK_CHANGED';

/**
 * Runs a browser step, again (up to three times) when Chromium gave up with
 * ERR_NETWORK_CHANGED: it drops every request in flight, loopback included,
 * whenever the host's interfaces change, which they do when another suite's
 * stack creates or removes its Docker networks. That says nothing about the
 * stack, so the step runs again when it threw that error or left a line
 * with it in `problems` (from collectProblems), and those lines leave
 * `problems`; any other failure stands. `action` is told its
 * attempt, so a step that posts can post something new each time.
 */
export async function settled<T>(
  problems: string[],
  action: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const before = problems.length;
    const dropped = () => problems.slice(before).some((line) => line.includes(NETWORK_CHANGED));
    try {
      const result = await action(attempt);
      // A page can load with a subresource dropped: that is a drop too.
      if (attempt >= 3 || !dropped()) return result;
    } catch (error) {
      if (attempt >= 3 || !String(error).includes(NETWORK_CHANGED)) throw error;
    }
    const kept = problems.slice(before).filter((line) => !line.includes(NETWORK_CHANGED));
    problems.splice(before, problems.length - before, ...kept);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `page.goto`, settled (see `settled`). */
export function gotoSettled(
  page: Page,
  url: string,
  problems: string[] = [],
): ReturnType<Page['goto']> {
  return settled(problems, () => page.goto(url));
}
