/**
 * What the deploy and roll scripts ask Swarm, through the docker CLI: the
 * node's swarm state, a service's tasks and its last update's outcome, and a
 * poll until a condition holds (Swarm has no "wait" for one-shot services).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerError, docker } from './docker.ts';

export interface Task {
  id: string;
  state: string;
  desiredState: string;
  image: string;
  createdAt: number;
  error: string;
  /** Which run of a job service the task belongs to (JobIteration.Index). */
  iteration: number;
  /** The node the task was scheduled on (empty until it is). */
  node: string;
}

export async function assertSwarmManager(): Promise<void> {
  const state = (await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim();
  const manager = (await docker(['info', '--format', '{{.Swarm.ControlAvailable}}'])).trim();
  if (state !== 'active' || manager !== 'true') {
    throw new Error(
      `this engine is not a swarm manager (state ${state}): docker swarm init --advertise-addr 127.0.0.1`,
    );
  }
}

interface RawTask {
  ID: string;
  NodeID?: string;
  CreatedAt: string;
  DesiredState: string;
  Spec: { ContainerSpec: { Image: string } };
  Status: { State: string; Err?: string };
  JobIteration?: { Index?: number };
}

/** How many times `tasks` lists again when a listed task is gone before it is read. */
const TASK_LIST_ATTEMPTS = 5;

/**
 * The service's tasks, read in two calls (`service ps` has no JobIteration).
 * Swarm prunes old tasks (task history retention) at any moment, a job's on
 * every new run: a task listed by the first call can be gone by the second
 * (measured in CI: "task … not found"). The listing is then stale, so list
 * again. `cli` is for tests.
 */
export async function tasks(service: string, cli = docker): Promise<Task[]> {
  for (let attempt = 1; ; attempt++) {
    const ids = (await cli(['service', 'ps', '--no-trunc', '-q', service]))
      .split('\n')
      .filter(Boolean);
    if (ids.length === 0) return [];
    let raw: RawTask[];
    try {
      raw = JSON.parse(await cli(['inspect', '--type', 'task', ...ids])) as RawTask[];
    } catch (error) {
      const vanished =
        error instanceof DockerError && /not found|no such task/i.test(error.message);
      if (!vanished || attempt >= TASK_LIST_ATTEMPTS) throw error;
      await sleep(100);
      continue;
    }
    return raw.map((task) => ({
      id: task.ID,
      state: task.Status.State,
      desiredState: task.DesiredState,
      image: task.Spec.ContainerSpec.Image,
      createdAt: Date.parse(task.CreatedAt),
      error: task.Status.Err ?? '',
      iteration: task.JobIteration?.Index ?? 0,
      node: task.NodeID ?? '',
    }));
  }
}

export interface UpdateStatus {
  /** `updating`, `completed`, `rollback_completed`, `paused`, ...; empty when never updated. */
  state: string;
  message: string;
  /** The engine's clock, in ms; 0 when never updated. */
  startedAt: number;
}

export async function updateState(service: string): Promise<UpdateStatus> {
  const raw = await docker(['service', 'inspect', '-f', '{{json .UpdateStatus}}', service]);
  const status = JSON.parse(raw) as { State?: string; Message?: string; StartedAt?: string } | null;
  return {
    state: status?.State ?? '',
    message: status?.Message ?? '',
    startedAt: status?.StartedAt ? Date.parse(status.StartedAt) : 0,
  };
}

/** Final states of an update; anything else is still moving. */
const UPDATE_DONE = ['completed', 'paused', 'rollback_completed', 'rollback_paused'];

/** The engine's own clock (ms), so update times compare with no skew from this machine's. */
export async function engineNow(): Promise<number> {
  return Date.parse(JSON.parse(await docker(['info', '--format', '{{json .SystemTime}}'])));
}

export async function serviceImage(service: string): Promise<string> {
  return (
    await docker([
      'service',
      'inspect',
      '-f',
      '{{.Spec.TaskTemplate.ContainerSpec.Image}}',
      service,
    ])
  ).trim();
}

/** Polls `check` every 500 ms until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}

const ACTIVE = [
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
];

/**
 * The current run of a job service (deploy.mode replicated-job or
 * global-job): Swarm counts them, and starts a new one on every update of
 * the service, `docker stack deploy` included.
 */
export async function jobIteration(service: string): Promise<number> {
  const raw = await docker(['service', 'inspect', '-f', '{{json .JobStatus}}', service]);
  const status = JSON.parse(raw) as { JobIteration?: { Index?: number } } | null;
  if (status === null) {
    throw new Error(`${service} is not a job: give it deploy.mode replicated-job or global-job`);
  }
  return status.JobIteration?.Index ?? 0;
}

/** How many failed runs Swarm makes of a job's task before it gives up. */
async function attempts(service: string): Promise<number> {
  const [condition = '', max = '0'] = (
    await docker([
      'service',
      'inspect',
      '-f',
      '{{with .Spec.TaskTemplate.RestartPolicy}}{{.Condition}} {{.MaxAttempts}}{{end}}',
      service,
    ])
  )
    .trim()
    .split(' ');
  if (condition === 'none') return 1;
  return Number(max) > 0 ? Number(max) : Number.POSITIVE_INFINITY;
}

/**
 * Waits for run `iteration` of a job service: done once none of that run's
 * tasks is still going and they completed (one task, or one per node for a
 * global job); failed once Swarm used up its attempts, with the last failed
 * task's error. Iterations, not clocks: nothing here compares timestamps.
 */
export async function jobDone(
  service: string,
  iteration: number,
  timeoutMs: number,
): Promise<void> {
  const allowed = await attempts(service);
  await waitFor(`${service} (run ${iteration}) to complete`, timeoutMs, async () => {
    const run = (await tasks(service))
      .filter((t) => t.iteration === iteration)
      .sort((a, b) => b.createdAt - a.createdAt);
    const failed = run.filter((t) => !ACTIVE.includes(t.state) && t.state !== 'complete');
    if (failed.length >= allowed) {
      const last = failed[0];
      throw new Error(
        `${service} ${last?.state} after ${failed.length} attempt(s): ${last?.error || 'no error recorded'} (docker service logs ${service})`,
      );
    }
    if (run.length === 0 || run.some((t) => ACTIVE.includes(t.state))) return undefined;
    return run.some((t) => t.state === 'complete') ? true : undefined;
  });
}

/** The stack's services, with their `running/desired` count as `docker service ls` shows it. */
async function stackServices(stack: string): Promise<Array<{ name: string; replicas: string }>> {
  const out = await docker([
    'service',
    'ls',
    '--filter',
    `label=com.docker.stack.namespace=${stack}`,
    '--format',
    '{{.Name}} {{.Replicas}}',
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', replicas = ''] = line.split(' ');
      return { name, replicas };
    });
}

/** Every long-running service of the stack has all its desired tasks running (healthy). */
export async function stackSettled(stack: string, oneShots: readonly string[]): Promise<boolean> {
  const services = await stackServices(stack);
  if (services.length === 0) return false;
  return services.every(({ name, replicas }) => {
    if (oneShots.includes(name)) return true;
    const [running, desired] = replicas.split('/');
    return running === desired && desired !== '0';
  });
}

/**
 * Waits until the service's last update is over, and returns how it ended
 * (`state` empty: never updated). `docker service update` can return while
 * the update's monitor window still runs (measured: at "updating").
 */
export async function updateFinished(service: string, timeoutMs: number): Promise<UpdateStatus> {
  return waitFor(`${service}'s update to finish`, timeoutMs, async () => {
    const status = await updateState(service);
    return status.state === '' || UPDATE_DONE.includes(status.state) ? status : undefined;
  });
}

/** `app: update rollback_completed: rollback completed`, for errors. */
export function describeUpdate(service: string, { state, message }: UpdateStatus): string {
  return `${service}: update ${state || 'not started'}${message ? `: ${message}` : ''}`;
}

/**
 * The services of `stack` whose update started at or after `since` (engine
 * clock) and did not end `completed`, once every such update is over: a
 * deploy that changed an image is only done when Swarm finished rolling it,
 * and one Swarm rolled back must not read as a success.
 */
export async function failedUpdates(
  stack: string,
  since: number,
  timeoutMs: number,
): Promise<Array<{ service: string; status: UpdateStatus }>> {
  const failed: Array<{ service: string; status: UpdateStatus }> = [];
  for (const { name } of await stackServices(stack)) {
    const status = await updateFinished(name, timeoutMs);
    if (status.startedAt >= since && status.state !== 'completed') {
      failed.push({ service: name, status });
    }
  }
  return failed;
}

/** `docker service update --image`, as the scripts roll: `extra` adds flags. */
export function updateImage(service: string, image: string, extra: string[]): Promise<string> {
  // --no-resolve-image: locally built tags have no registry digest to pin.
  return docker([
    'service',
    'update',
    '--quiet',
    '--no-resolve-image',
    '--image',
    image,
    ...extra,
    service,
  ]);
}
