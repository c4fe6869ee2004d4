/**
 * The app as the bench's second upstream: a PostgreSQL 17 container
 * (testcontainers, the app tests' own `postgresContainer()`), the migrations, a few
 * records (e2e/src/domain.ts), and `services/app/src/main.ts` in a process of its own, as in
 * production. Not in the bench's own process: the runner samples /proc
 * and starts wrk, and an app sharing its event loop and CPU time would blur
 * both. `stop()` removes the container whatever happened.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CREATE, createBody, JSON_HEADERS, listPath } from '../../../e2e/src/domain.ts';
import { postgresContainer } from '../../../services/app/test/helpers/postgres-container.ts';
import { freePort } from '../processes.ts';

const APP_DIR = fileURLToPath(new URL('../../../services/app/', import.meta.url));

export interface AppUpstream {
  url: string;
  /** The JSON endpoint the row measures. */
  path: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

function run(script: string, env: NodeJS.ProcessEnv, log: number): ChildProcess {
  return spawn(process.execPath, [join(APP_DIR, 'src', script)], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH ?? '', APP_ENV: 'development', APP_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', log, log],
  });
}

async function untilReady(url: string, child: ChildProcess, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/readyz`)
      .then((res) => res.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the app was not ready after ${ms} ms`);
}

export async function startAppUpstream(dir: string): Promise<AppUpstream> {
  // No Ryuk on these machines: stop() removes the container itself.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // The app's test container: no health check running beside the measurement.
  const db = await postgresContainer().start();
  let app: ChildProcess | null = null;
  const stop = async () => {
    if (app !== null && app.exitCode === null && app.signalCode === null) {
      const exited = once(app, 'exit');
      app.kill('SIGTERM');
      await exited;
    }
    await db.stop();
  };
  try {
    const log = openSync(join(dir, 'app.log'), 'a');
    const env = { DATABASE_URL: db.getConnectionUri() };
    const migrate = run('migrate.ts', env, log);
    const [code] = await once(migrate, 'exit');
    if (code !== 0) throw new Error(`migrate exited with ${code}; see ${dir}/app.log`);
    const port = await freePort();
    app = run('main.ts', { ...env, APP_PORT: String(port), APP_DRAIN_MS: '0' }, log);
    const url = `http://127.0.0.1:${port}`;
    await untilReady(url, app);
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${url}${CREATE.path}`, {
        method: CREATE.method,
        headers: JSON_HEADERS,
        body: createBody(`bench ${i}`, 'a record for a bench list'),
      });
      if (res.status !== CREATE.status) throw new Error(`seeding answered ${res.status}`);
    }
    return { url, path: listPath({ limit: 10 }), pid: app.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
