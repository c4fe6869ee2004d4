/**
 * What the deploy and roll scripts ask Swarm, through the docker CLI: the
 * node's swarm state, a service's tasks and its last update's outcome, and a
 * poll until a condition holds (Swarm has no "wait" for one-shot services).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { docker } from './docker.ts';

export interface Task {
  id: string;
  state: string;
  desiredState: string;
  image: string;
  createdAt: number;
  error: string;
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

export async function tasks(service: string): Promise<Task[]> {
  const ids = (await docker(['service', 'ps', '--no-trunc', '-q', service]))
    .split('\n')
    .filter(Boolean);
  if (ids.length === 0) return [];
  const raw = JSON.parse(await docker(['inspect', '--type', 'task', ...ids])) as Array<{
    ID: string;
    CreatedAt: string;
    DesiredState: string;
    Spec: { ContainerSpec: { Image: string } };
    Status: { State: string; Err?: string };
  }>;
  return raw.map((task) => ({
    id: task.ID,
    state: task.Status.State,
    desiredState: task.DesiredState,
    image: task.Spec.ContainerSpec.Image,
    createdAt: Date.parse(task.CreatedAt),
    error: task.Status.Err ?? '',
  }));
}

/** `completed`, `rollback_completed`, `paused`, ...; empty when never updated. */
export async function updateState(service: string): Promise<{ state: string; message: string }> {
  const out = await docker([
    'service',
    'inspect',
    '-f',
    '{{if .UpdateStatus}}{{.UpdateStatus.State}}|{{.UpdateStatus.Message}}{{end}}',
    service,
  ]);
  const [state = '', message = ''] = out.trim().split('|');
  return { state, message };
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

async function updatedAt(service: string): Promise<number> {
  const raw = await docker(['service', 'inspect', '-f', '{{json .UpdatedAt}}', service]);
  return Date.parse(JSON.parse(raw) as string);
}

/** How many failed runs Swarm makes of a one-shot before it gives up. */
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
 * A one-shot has run once a task of it created since `since` (and of `image`,
 * when given) completed and none is still going; it failed once Swarm used up
 * its attempts (restart_policy none: one; on-failure: max_attempts), and the
 * error names the last task's. Without `image`, a one-shot whose spec was
 * not changed since `since` (so Swarm starts no new task) counts as run when
 * its latest task completed: `docker stack deploy` of an unchanged stack
 * reruns nothing.
 */
export async function oneShotDone(
  service: string,
  { since, image }: { since: number; image?: string },
  timeoutMs: number,
): Promise<void> {
  const allowed = await attempts(service);
  const changed = image !== undefined || (await updatedAt(service)) >= since;
  await waitFor(`${service} to complete`, timeoutMs, async () => {
    const all = (await tasks(service)).sort((a, b) => b.createdAt - a.createdAt);
    if (all.some((t) => ACTIVE.includes(t.state) && t.desiredState !== 'shutdown')) {
      return undefined;
    }
    const fresh = all.filter((t) => t.createdAt >= since && (!image || t.image === image));
    if (!changed && fresh.length === 0 && all[0]?.state === 'complete') return true;
    // Failures first: a global one-shot has a task per node, and one node's
    // failure fails the run even when another node's task completed.
    const failed = fresh.filter((t) => t.state !== 'complete');
    if (failed.length >= allowed) {
      const last = failed[0];
      throw new Error(
        `${service} ${last?.state} after ${failed.length} attempt(s): ${last?.error || 'no error recorded'} (docker service logs ${service})`,
      );
    }
    return fresh.some((t) => t.state === 'complete') ? true : undefined;
  });
}

/** Every long-running service of the stack has all its desired tasks running (healthy). */
export async function stackSettled(stack: string, oneShots: readonly string[]): Promise<boolean> {
  const lines = (
    await docker([
      'service',
      'ls',
      '--filter',
      `label=com.docker.stack.namespace=${stack}`,
      '--format',
      '{{.Name}} {{.Replicas}}',
    ])
  )
    .split('\n')
    .filter(Boolean);
  if (lines.length === 0) return false;
  return lines.every((line) => {
    const [name = '', replicas = ''] = line.split(' ');
    if (oneShots.includes(name)) return true;
    const [running, desired] = replicas.split('/');
    return running === desired && desired !== '0';
  });
}
