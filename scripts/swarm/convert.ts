/**
 * `docker compose config` output → a file `docker stack deploy` accepts.
 *
 * Compose and Swarm read the same format, but the stack loader (docker/cli's
 * cli/compose, schema 3.x) refuses or silently ignores parts of the compose
 * spec that compose.yaml relies on. Each rule below converts what Swarm can
 * express another way and drops, with a note, what it cannot. Pure: the
 * input is the parsed JSON of `docker compose ... config --format json`.
 */

type Doc = Record<string, unknown>;

export interface Converted {
  stack: Doc;
  /** One line per lossy change, printed by render.ts so nothing is hidden. */
  notes: string[];
}

/** Keys a stack service refuses or ignores, and why they can go. */
const DROPPED: Readonly<Record<string, string>> = {
  build: 'Swarm only runs images: build them first (docker compose build)',
  // Swarm starts everything at once; /readyz (migrations applied, database up)
  // keeps a task out of DNS until it can serve, which is what depends_on was for.
  depends_on: 'no start order in Swarm; readiness healthchecks gate traffic instead',
  develop: 'compose watch only',
  restart: 'deploy.restart_policy applies instead',
  // docker/cli's stack loader lists it as unsupported and drops it.
  security_opt: 'not supported by Swarm services (no-new-privileges is lost)',
  network_mode: 'not supported by Swarm services: the task joins the stack default network',
  pull_policy: 'Swarm pulls per --resolve-image',
  container_name: 'Swarm names tasks itself',
};

const isRecord = (value: unknown): value is Doc =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Compose prints "134217728" for 128M; a number of bytes either way. */
function bytes(value: unknown, where: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new Error(`${where}: expected a size in bytes, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/**
 * Service-level `tmpfs` is ignored by Swarm, which would leave a read_only
 * container with no writable /tmp (PostgreSQL cannot even create its socket
 * directory). Swarm mounts tmpfs through `volumes` entries of type tmpfs;
 * those take only a size and a mode, so mount options are refused loudly.
 */
function tmpfsMounts(service: Doc, where: string): Doc[] {
  const mounts: Doc[] = [];
  const tmpfs = service.tmpfs;
  const paths = typeof tmpfs === 'string' ? [tmpfs] : Array.isArray(tmpfs) ? tmpfs : [];
  for (const entry of paths) {
    const [target, options] = String(entry).split(':', 2);
    if (options) {
      throw new Error(`${where}.tmpfs: "${entry}": Swarm tmpfs mounts take no options`);
    }
    mounts.push({ type: 'tmpfs', target });
  }
  // No shm_size for Swarm services: a tmpfs of that size on /dev/shm is the same thing.
  if (service.shm_size !== undefined) {
    mounts.push({
      type: 'tmpfs',
      target: '/dev/shm',
      tmpfs: { size: bytes(service.shm_size, `${where}.shm_size`) },
    });
  }
  return mounts;
}

function convertHealthcheck(healthcheck: Doc, where: string, notes: string[]): Doc {
  const { start_interval: startInterval, ...rest } = healthcheck;
  if (startInterval !== undefined) {
    notes.push(
      `${where}.healthcheck.start_interval dropped (a Dockerfile HEALTHCHECK --start-interval is honoured when the service sets none)`,
    );
  }
  return rest;
}

/** The stack schema wants cpus as a string ("0.5"); compose prints a number. */
function convertDeploy(deploy: Doc): Doc {
  const resources = deploy.resources;
  if (!isRecord(resources)) return deploy;
  const converted: Doc = {};
  for (const [kind, limits] of Object.entries(resources)) {
    converted[kind] =
      isRecord(limits) && limits.cpus !== undefined
        ? { ...limits, cpus: String(limits.cpus) }
        : limits;
  }
  return { ...deploy, resources: converted };
}

/** Compose prints a published port as a string; the stack schema wants an integer. */
function convertPorts(ports: unknown[]): unknown[] {
  return ports.map((port) =>
    isRecord(port) && typeof port.published === 'string' && /^\d+$/.test(port.published)
      ? { ...port, published: Number(port.published) }
      : port,
  );
}

function convertService(name: string, input: Doc, notes: string[]): Doc {
  const where = `services.${name}`;
  const service: Doc = {};
  for (const [key, value] of Object.entries(input)) {
    // compose prints `command: null` where the image's applies.
    if (value === null) continue;
    const why = Object.hasOwn(DROPPED, key) ? DROPPED[key] : undefined;
    if (why !== undefined) {
      // Expected losses are silent; only the ones that weaken the service are noted.
      if (key === 'security_opt' || key === 'network_mode') notes.push(`${where}.${key}: ${why}`);
      continue;
    }
    if (key === 'tmpfs' || key === 'shm_size') continue;
    service[key] = value;
  }
  const mounts = tmpfsMounts(input, where);
  if (mounts.length > 0) {
    service.volumes = [...(Array.isArray(input.volumes) ? input.volumes : []), ...mounts];
  }
  if (isRecord(input.healthcheck)) {
    service.healthcheck = convertHealthcheck(input.healthcheck, where, notes);
  }
  if (isRecord(input.deploy)) service.deploy = convertDeploy(input.deploy);
  if (Array.isArray(input.ports)) service.ports = convertPorts(input.ports);
  if (typeof service.image !== 'string' || service.image === '') {
    throw new Error(`${where}.image: Swarm needs an image name for every service`);
  }
  return service;
}

/**
 * Top-level networks, volumes and secrets lose the `name` compose gives them
 * (`<project>_front`): a stack prefixes them with its own name, so two stacks
 * (a test's and yours) never share a network or a volume. External ones keep it.
 */
function withoutNames(section: unknown): Doc {
  const out: Doc = {};
  if (!isRecord(section)) return out;
  for (const [key, value] of Object.entries(section)) {
    if (isRecord(value) && value.external !== true) {
      const { name: _name, ...rest } = value;
      out[key] = rest;
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function toStackFile(merged: Doc): Converted {
  const notes: string[] = [];
  if (!isRecord(merged.services) || Object.keys(merged.services).length === 0) {
    throw new Error('the compose config has no services');
  }
  const services: Doc = {};
  for (const [name, service] of Object.entries(merged.services)) {
    if (!isRecord(service)) throw new Error(`services.${name}: not a mapping`);
    services[name] = convertService(name, service, notes);
  }
  // The stack loader still wants a 3.x version; top-level `name` and x-*
  // extension fields are the compose spec's and are left out.
  const stack: Doc = { version: '3.9', services };
  for (const section of ['networks', 'volumes', 'secrets', 'configs'] as const) {
    if (merged[section] !== undefined) stack[section] = withoutNames(merged[section]);
  }
  return { stack, notes };
}
