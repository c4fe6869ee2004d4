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
  // The suites open `localhost` (a secure context, a name the leaf carries)
  // on the host port the engine published for IPv4. When the engine picks
  // the ports (HTTP_PORT=0), IPv4 and IPv6 get different ones, and [::1] at
  // the IPv4 port is another published port, often the stack's other
  // protocol (CI saw ERR_SSL_PROTOCOL_ERROR from the plain port).
  '--host-resolver-rules=MAP localhost 127.0.0.1',
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

const NETWORK_CHANGED = 'net::ERR_NETWORK_CHANGED';

/**
 * What a page did wrong, as lines: console errors, page errors, failed
 * requests and 4xx/5xx answers. A request Chromium dropped with
 * ERR_NETWORK_CHANGED is counted in `drops` instead: it drops every request
 * in flight, loopback included, whenever the host's interfaces change, which
 * they do when another suite's stack creates or removes its Docker networks.
 * That says nothing about the stack; each suite asserts what the step had to
 * achieve (the page, its assets, the record shown), so a drop is retried by
 * `settled` when it is seen in time, and never fails a suite by itself.
 */
export class Problems {
  readonly lines: string[] = [];
  drops = 0;
  /** Requests sent and not yet finished or failed: url → when sent (ms). */
  readonly pending = new Map<string, number>();

  add(line: string): void {
    if (line.includes(NETWORK_CHANGED)) this.drops++;
    else this.lines.push(line);
  }

  /** What a timed-out step was still waiting for, for its error. */
  describe(): string {
    const now = Date.now();
    const waiting = [...this.pending].map(([url, at]) => `${url} (${now - at} ms)`);
    return `pending: ${waiting.join(', ') || 'none'}; network-change drops: ${this.drops}`;
  }
}

export function collectProblems(page: Page): Problems {
  const problems = new Problems();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.add(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.add(`page error: ${error.message}`));
  page.on('request', (req) => problems.pending.set(req.url(), Date.now()));
  page.on('requestfinished', (req) => problems.pending.delete(req.url()));
  page.on('requestfailed', (req) => {
    problems.pending.delete(req.url());
    problems.add(`failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.add(`${res.status()}: ${res.url()}`);
  });
  return problems;
}

/**
 * Runs a browser step, again (up to three times) when Chromium dropped it
 * for a network change (see `Problems`): the step threw ERR_NETWORK_CHANGED,
 * or ended while a request of it was dropped. Any other failure stands.
 * `action` is told its attempt, so a step that posts can post something new
 * each time.
 */
export async function settled<T>(
  problems: Problems,
  action: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const before = problems.drops;
    try {
      const result = await action(attempt);
      if (attempt >= 3 || problems.drops === before) return result;
    } catch (error) {
      // A step that timed out after a drop: Chromium can leave the dropped
      // navigation waiting instead of failing it (seen once in CI: the
      // edge's log shows the page answered on a connection already gone).
      const dropped =
        String(error).includes(NETWORK_CHANGED) ||
        ((error as Error).name === 'TimeoutError' && problems.drops > before);
      if (attempt >= 3 || !dropped) {
        if ((error as Error).name === 'TimeoutError') {
          (error as Error).message += `\n${problems.describe()}`;
        }
        throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `page.goto`, settled (see `settled`); each attempt given 15 s, so three fit in a suite's time. */
export function gotoSettled(
  page: Page,
  url: string,
  problems: Problems = new Problems(),
): ReturnType<Page['goto']> {
  return settled(problems, () => page.goto(url, { timeout: 15_000 }));
}
