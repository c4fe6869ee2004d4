/**
 * The real app (`buildApp`) on a real PostgreSQL, listening on
 * 127.0.0.1:0, for the tests that put the whole edge in front of it. One
 * container per test file; it is stopped even when the test fails.
 */
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { buildApp } from '../../../app/src/app.ts';
import { captureLog, manifest } from '../../../app/test/helpers/app.ts';
import { appConfig, migrate, startPostgres } from '../../../app/test/helpers/postgres.ts';

export interface RunningApp {
  url: string;
  /** The app's JSON log lines (`requestId`, `clientAddress`, …). */
  lines: Record<string, unknown>[];
}

export async function startAppOnPostgres(
  t: TestContext,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const db = await startPostgres();
  let close = async () => {
    await db.stop();
  };
  t.after(() => close());
  await migrate(db);
  const log = captureLog();
  const app = buildApp(appConfig(db, { APP_LOG_LEVEL: 'info', ...env }), {
    manifest,
    logStream: log.stream,
  });
  close = async () => {
    await app.close();
    await db.stop();
  };
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, lines: log.lines };
}
