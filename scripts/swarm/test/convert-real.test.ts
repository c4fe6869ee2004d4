/**
 * The conversion applied to the project's own compose.yaml +
 * compose.swarm.yaml (a recorded `docker compose config`): what the Swarm
 * deploy really gets.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { toStackFile } from '../convert.ts';
import { type Doc, list, record } from './doc.ts';

describe('the real compose.yaml + compose.swarm.yaml config', () => {
  // `docker compose -f compose.yaml -f compose.swarm.yaml config --format json`,
  // with this checkout's absolute paths rewritten to /repo (the conversion
  // never reads them). Regenerate it when compose.yaml changes shape.
  const input: Doc = JSON.parse(
    readFileSync(new URL('./fixtures/compose-config.json', import.meta.url), 'utf8'),
  );
  const { stack, notes } = toStackFile(input);
  const services = record(stack.services, 'services');

  test('the input still has what the conversion is for', () => {
    const inputServices = record(input.services, 'input services');
    assert.deepEqual(Object.keys(services).sort(), Object.keys(inputServices).sort());
    const db = record(inputServices.db, 'input db');
    assert.ok(
      'shm_size' in db && 'tmpfs' in db && 'depends_on' in record(inputServices.app, 'app'),
    );
  });

  test('every service has an image and none of the dropped keys', () => {
    for (const [name, value] of Object.entries(services)) {
      const service = record(value, name);
      assert.equal(typeof service.image, 'string', `${name}.image`);
      assert.notEqual(service.image, '', `${name}.image`);
      for (const key of [
        'depends_on',
        'build',
        'restart',
        'develop',
        'security_opt',
        'network_mode',
        'tmpfs',
        'shm_size',
      ]) {
        assert.equal(key in service, false, `${name}.${key}`);
      }
      const healthcheck = service.healthcheck;
      if (healthcheck !== undefined) {
        assert.equal('start_interval' in record(healthcheck, name), false, `${name} healthcheck`);
      }
    }
  });

  test('version is present, name and x-* are gone', () => {
    assert.equal(stack.version, '3.9');
    assert.equal('name' in stack, false);
    assert.deepEqual(
      Object.keys(stack).filter((key) => key.startsWith('x-')),
      [],
    );
  });

  test('app and db are dnsrr, the edge publishes an integer port in host mode', () => {
    for (const name of ['app', 'db']) {
      const deploy = record(record(services[name], name).deploy, `${name}.deploy`);
      assert.equal(deploy.endpoint_mode, 'dnsrr', name);
    }
    const ports = list(record(services.edge, 'edge').ports, 'edge.ports');
    assert.ok(ports.length > 0);
    for (const port of ports) {
      assert.equal(record(port, 'edge port').mode, 'host');
      assert.equal(typeof record(port, 'edge port').published, 'number');
    }
  });

  test('every cpus is a string', () => {
    for (const [name, value] of Object.entries(services)) {
      const resources = record(record(record(value, name).deploy, name).resources, name);
      for (const limits of Object.values(resources)) {
        const cpus = record(limits, name).cpus;
        if (cpus !== undefined) assert.equal(typeof cpus, 'string', `${name} cpus`);
      }
    }
  });

  test('db keeps a writable socket directory, /tmp and a 128 MiB /dev/shm', () => {
    const volumes = list(record(services.db, 'db').volumes, 'db.volumes');
    const tmpfs = volumes
      .map((volume) => record(volume, 'db volume'))
      .filter((v) => v.type === 'tmpfs');
    assert.deepEqual(tmpfs, [
      { type: 'tmpfs', target: '/var/run/postgresql' },
      { type: 'tmpfs', target: '/tmp' },
      { type: 'tmpfs', target: '/dev/shm', tmpfs: { size: 134217728 } },
    ]);
  });

  test('networks, volumes and secrets lose their project-prefixed names', () => {
    for (const section of ['networks', 'volumes', 'secrets']) {
      for (const [key, value] of Object.entries(record(stack[section], section))) {
        assert.equal('name' in record(value, `${section}.${key}`), false, `${section}.${key}`);
      }
    }
  });

  test('the notes name each weakened service and key', () => {
    for (const name of ['app', 'collectstatic', 'db', 'edge', 'migrate']) {
      assert.ok(
        notes.some((note) => note.startsWith(`services.${name}.security_opt: `)),
        name,
      );
    }
    assert.ok(notes.some((note) => note.startsWith('services.collectstatic.network_mode: ')));
    assert.ok(notes.some((note) => note.startsWith('services.db.healthcheck.start_interval ')));
    assert.equal(notes.length, 7);
  });
});
