/**
 * What compose.yaml keeps apart, each check with a positive control so a
 * probe that cannot see anything does not pass for isolation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type Docker from 'dockerode';
import { exec, execNode } from '../src/containers.ts';
import type { Stack } from '../src/stack.ts';
import { useStack } from '../src/suite.ts';

/** Tries a TCP connection from inside a container; prints `connected` or the error code. */
function connectScript(host: string, port: number): string {
  return `import { connect } from 'node:net';
    const socket = connect({ host: ${JSON.stringify(host)}, port: ${port}, timeout: 2000 });
    socket.on('connect', () => { console.log('connected'); socket.destroy(); });
    socket.on('timeout', () => { console.log('ETIMEDOUT'); socket.destroy(); });
    socket.on('error', (e) => console.log(e.code ?? e.message));`;
}

async function tryConnect(container: Docker.Container, host: string, port: number) {
  const { stdout, stderr } = await execNode(container, connectScript(host, port));
  return stdout.trim() || stderr.trim();
}

async function inspectAll(stack: Stack) {
  const found = await stack.containers();
  return Promise.all(found.map((info) => stack.docker.getContainer(info.Id).inspect()));
}

function service(info: Docker.ContainerInspectInfo): string {
  return info.Config.Labels['com.docker.compose.service'] ?? info.Name;
}

describe('isolation between the containers', () => {
  const stack = useStack('isolation');

  test('the edge cannot reach db:5432, by name or by address, while app can', async () => {
    const db = await (await stack().container('db')).inspect();
    const dbAddress = db.NetworkSettings.Networks[`${stack().project}_back`]?.IPAddress;
    assert.ok(dbAddress, 'db has an address on the back network');
    const app = await stack().container('app');
    assert.equal(await tryConnect(app, 'db', 5432), 'connected');
    assert.equal(await tryConnect(app, dbAddress, 5432), 'connected');
    const edge = await stack().container('edge');
    assert.match(await tryConnect(edge, 'db', 5432), /^(ENOTFOUND|EAI_AGAIN)$/);
    assert.match(await tryConnect(edge, dbAddress, 5432), /^(ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/);
  });

  test('only the edge publishes a port', async () => {
    const published = (await inspectAll(stack())).flatMap((info) =>
      Object.entries((info.HostConfig.PortBindings ?? {}) as Record<string, unknown[] | null>)
        .filter(([, bindings]) => (bindings ?? []).length > 0)
        .map(([port]) => `${service(info)} ${port}`),
    );
    // HTTP and HTTPS (h2), both the edge's.
    assert.deepEqual(published.sort(), ['edge 8080/tcp', 'edge 8443/tcp']);
  });

  test('every container but db runs as a non-root user', async () => {
    const all = await inspectAll(stack());
    assert.deepEqual(all.map(service).sort(), ['app', 'collectstatic', 'db', 'edge', 'migrate']);
    for (const info of all) {
      const name = service(info);
      if (name === 'db') continue;
      assert.ok(
        !['', 'root', '0'].includes(info.Config.User),
        `${name} runs as ${info.Config.User}`,
      );
    }
    for (const name of ['app', 'edge']) {
      const { stdout } = await exec(await stack().container(name), ['id', '-u']);
      assert.notEqual(stdout.trim(), '0', `${name} runs as uid ${stdout.trim()}`);
    }
    // The control: the same probe does see root where there is one.
    const { stdout } = await exec(await stack().container('db'), ['id', '-u']);
    assert.equal(stdout.trim(), '0');
  });

  test('every root filesystem is read-only, the /tmp mounts writable', async () => {
    for (const info of await inspectAll(stack())) {
      assert.equal(info.HostConfig.ReadonlyRootfs, true, `${service(info)} root filesystem`);
    }
    for (const name of ['app', 'edge', 'db']) {
      const container = await stack().container(name);
      const root = await exec(container, ['sh', '-c', 'touch /probe 2>&1; echo "exit $?"']);
      assert.match(root.stdout, /Read-only file system/, `${name}: writing / fails`);
      // The control: the same probe can write where writing is allowed.
      const tmp = await exec(container, [
        'sh',
        '-c',
        'touch /tmp/probe && rm /tmp/probe && echo ok',
      ]);
      assert.equal(tmp.stdout.trim(), 'ok', `${name}: ${tmp.stderr}`);
    }
  });
});
