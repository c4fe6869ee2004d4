import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { type App, buildApp } from '../../src/app.ts';
import { buildSet, STATIC_SOURCE_DIR } from '../../src/collectstatic/index.ts';
import { type Config, loadConfig } from '../../src/config.ts';

/**
 * The manifest of the static set built from this checkout's sources, in
 * memory: what the image would bake in, without writing dist/.
 */
export const manifest = (await buildSet(STATIC_SOURCE_DIR)).manifest;

/**
 * Nothing listens on port 1: connections are refused at once, which is how
 * a stopped database looks to the pool. Enough for every test that never
 * reaches the database.
 */
export const UNREACHABLE_DATABASE_URL = 'postgres://app:secret@127.0.0.1:1/app';

export function testConfig(env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({
    DATABASE_URL: UNREACHABLE_DATABASE_URL,
    APP_LOG_LEVEL: 'info',
    APP_DB_CONNECT_TIMEOUT_MS: '2000',
    ...env,
  });
}

/** The app's log lines, parsed, as a test reads them. */
export interface LogCapture {
  stream: Writable;
  lines: Record<string, unknown>[];
}

export function captureLog(): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { stream, lines };
}

/** Builds the app in-process and closes it when the test ends. */
export function testApp(t: TestContext, config = testConfig(), log = captureLog()): App {
  const app = buildApp(config, { manifest, logStream: log.stream });
  t.after(() => app.close());
  return app;
}
