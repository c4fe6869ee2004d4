import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Converted, toStackFile } from '../convert.ts';
import { type Doc, record } from './doc.ts';

/** A compose config with one service, `web`, plus whatever the test adds. */
function withService(service: Doc, top: Doc = {}): Doc {
  return { services: { web: { image: 'example/web:1', ...service } }, ...top };
}

function web(converted: Converted): Doc {
  return record(record(converted.stack.services, 'services').web, 'services.web');
}

describe('service keys', () => {
  test('healthcheck.start_interval is dropped with a note naming the service', () => {
    const converted = toStackFile(
      withService({
        healthcheck: { test: ['CMD', 'true'], interval: '10s', start_interval: '1s' },
      }),
    );
    assert.deepEqual(web(converted).healthcheck, { test: ['CMD', 'true'], interval: '10s' });
    assert.equal(converted.notes.length, 1);
    assert.match(converted.notes[0] ?? '', /^services\.web\.healthcheck\.start_interval dropped/);
  });

  test('a healthcheck without start_interval is kept whole and silent', () => {
    const healthcheck = { test: ['CMD', 'true'], interval: '10s' };
    const converted = toStackFile(withService({ healthcheck }));
    assert.deepEqual(web(converted).healthcheck, healthcheck);
    assert.deepEqual(converted.notes, []);
  });

  test('deploy.resources.*.cpus numbers become strings, the rest untouched', () => {
    const converted = toStackFile(
      withService({
        deploy: {
          replicas: 2,
          resources: {
            limits: { cpus: 1, memory: '268435456' },
            reservations: { cpus: 0.1, memory: '134217728' },
          },
        },
      }),
    );
    assert.deepEqual(web(converted).deploy, {
      replicas: 2,
      resources: {
        limits: { cpus: '1', memory: '268435456' },
        reservations: { cpus: '0.1', memory: '134217728' },
      },
    });
  });

  test('long-form and short-form depends_on are dropped', () => {
    for (const dependsOn of [{ db: { condition: 'service_healthy', required: true } }, ['db']]) {
      const service = web(toStackFile(withService({ depends_on: dependsOn })));
      assert.equal('depends_on' in service, false, JSON.stringify(dependsOn));
    }
  });

  test('build, restart, develop, pull_policy and container_name are dropped silently', () => {
    const converted = toStackFile(
      withService({
        build: { context: '/repo', dockerfile: 'docker/app.Dockerfile' },
        restart: 'unless-stopped',
        develop: { watch: [{ action: 'sync', path: './src', target: '/app/src' }] },
        pull_policy: 'never',
        container_name: 'web-1',
        read_only: true,
      }),
    );
    assert.deepEqual(web(converted), { image: 'example/web:1', read_only: true });
    assert.deepEqual(converted.notes, []);
  });

  test('security_opt and network_mode are dropped, each with a note naming service and key', () => {
    const converted = toStackFile(
      withService({ security_opt: ['no-new-privileges:true'], network_mode: 'none' }),
    );
    const service = web(converted);
    assert.equal('security_opt' in service, false);
    assert.equal('network_mode' in service, false);
    assert.equal(converted.notes.length, 2);
    assert.ok(converted.notes.some((note) => note.startsWith('services.web.security_opt: ')));
    assert.ok(converted.notes.some((note) => note.startsWith('services.web.network_mode: ')));
  });

  test('null values (compose prints `command: null`) are left out', () => {
    const service = web(toStackFile(withService({ command: null, entrypoint: null })));
    assert.deepEqual(service, { image: 'example/web:1' });
  });

  test('a published port string becomes an integer; a range stays a string', () => {
    const service = web(
      toStackFile(
        withService({
          ports: [
            { mode: 'host', target: 8080, published: '8080', protocol: 'tcp' },
            { target: 9000, published: '9000-9001' },
          ],
        }),
      ),
    );
    assert.deepEqual(service.ports, [
      { mode: 'host', target: 8080, published: 8080, protocol: 'tcp' },
      { target: 9000, published: '9000-9001' },
    ]);
  });
});

describe('tmpfs and shm_size', () => {
  test('service tmpfs becomes volumes entries of type tmpfs, after the existing volumes', () => {
    const dataVolume = { type: 'volume', source: 'data', target: '/data', volume: {} };
    const service = web(
      toStackFile(withService({ tmpfs: ['/var/run/postgresql', '/tmp'], volumes: [dataVolume] })),
    );
    assert.equal('tmpfs' in service, false);
    assert.deepEqual(service.volumes, [
      dataVolume,
      { type: 'tmpfs', target: '/var/run/postgresql' },
      { type: 'tmpfs', target: '/tmp' },
    ]);
  });

  test('a single tmpfs string is one mount', () => {
    const service = web(toStackFile(withService({ tmpfs: '/tmp' })));
    assert.deepEqual(service.volumes, [{ type: 'tmpfs', target: '/tmp' }]);
  });

  test('tmpfs with mount options is refused, naming the service and the entry', () => {
    assert.throws(
      () => toStackFile(withService({ tmpfs: ['/tmp:size=64m,mode=1777'] })),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /^services\.web\.tmpfs: /);
        assert.match(error.message, /"\/tmp:size=64m,mode=1777"/);
        assert.match(error.message, /no options/);
        return true;
      },
    );
  });

  test('shm_size becomes a tmpfs of that many bytes on /dev/shm', () => {
    for (const shmSize of ['134217728', 134217728]) {
      const service = web(toStackFile(withService({ shm_size: shmSize })));
      assert.equal('shm_size' in service, false);
      assert.deepEqual(service.volumes, [
        { type: 'tmpfs', target: '/dev/shm', tmpfs: { size: 134217728 } },
      ]);
    }
  });

  test('a shm_size that is not a positive number of bytes throws, naming where', () => {
    for (const shmSize of ['128m', '0', -1, 1.5, '']) {
      assert.throws(
        () => toStackFile(withService({ shm_size: shmSize })),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /^services\.web\.shm_size: expected a size in bytes/);
          assert.ok(error.message.includes(JSON.stringify(shmSize)), error.message);
          return true;
        },
        `shm_size ${JSON.stringify(shmSize)}`,
      );
    }
  });

  test('without tmpfs or shm_size the service volumes are kept as they are', () => {
    const volumes = [{ type: 'volume', source: 'data', target: '/data' }];
    assert.deepEqual(web(toStackFile(withService({ volumes }))).volumes, volumes);
    assert.equal('volumes' in web(toStackFile(withService({}))), false);
  });
});

describe('top level', () => {
  test('name and x-* are dropped, version 3.9 is added', () => {
    const { stack } = toStackFile(
      withService({}, { name: 'main', 'x-hardened': { read_only: true } }),
    );
    assert.deepEqual(Object.keys(stack).sort(), ['services', 'version']);
    assert.equal(stack.version, '3.9');
  });

  test('network, volume, secret and config names are dropped unless external', () => {
    const { stack } = toStackFile(
      withService(
        {},
        {
          networks: {
            front: { name: 'main_front', driver: 'overlay', ipam: {} },
            shared: { name: 'shared-net', external: true },
            plain: null,
          },
          volumes: { data: { name: 'main_data' }, kept: { name: 'kept-data', external: true } },
          secrets: {
            db_password: { name: 'main_db_password', file: '/repo/docker/dev-secrets/db.txt' },
            vault: { name: 'vault-password', external: true },
          },
          configs: { site: { name: 'main_site', file: '/repo/site.conf' } },
        },
      ),
    );
    assert.deepEqual(stack.networks, {
      front: { driver: 'overlay', ipam: {} },
      shared: { name: 'shared-net', external: true },
      plain: null,
    });
    assert.deepEqual(stack.volumes, {
      data: {},
      kept: { name: 'kept-data', external: true },
    });
    assert.deepEqual(stack.secrets, {
      db_password: { file: '/repo/docker/dev-secrets/db.txt' },
      vault: { name: 'vault-password', external: true },
    });
    assert.deepEqual(stack.configs, { site: { file: '/repo/site.conf' } });
  });
});

describe('bad input', () => {
  test('no services at all', () => {
    assert.throws(() => toStackFile({}), /no services/);
    assert.throws(() => toStackFile({ services: {} }), /no services/);
  });

  test('a service that is not a mapping names the service', () => {
    assert.throws(() => toStackFile({ services: { web: ['x'] } }), /^Error: services\.web: /);
  });

  test('a service without an image names the service (build alone is not enough)', () => {
    assert.throws(
      () => toStackFile({ services: { web: { build: { context: '.' } } } }),
      /^Error: services\.web\.image: /,
    );
    assert.throws(
      () => toStackFile({ services: { web: { image: '' } } }),
      /^Error: services\.web\.image: /,
    );
  });
});
