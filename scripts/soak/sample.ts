/**
 * One round of readings from a running stack: what probe.ts last wrote in
 * each app and edge container (one line per Node process), and each
 * container's memory as its cgroup counts it (the figure a compose
 * `memory:` limit is held to), the database's included.
 */
import type Docker from 'dockerode';
import { exec } from '../../e2e/src/containers.ts';
import type { Stack } from '../../e2e/src/stack.ts';
import type { Sample } from './verdict.ts';

const PROBED = ['app', 'edge'];

/**
 * `everyMs`: the probes' interval. A probe file older than two and a half
 * of them is a process that has exited (a live one rewrites it each
 * interval, and a round may read it just before).
 */
export async function sampleStack(stack: Stack, everyMs: number): Promise<Sample[]> {
  const staleMs = everyMs * 2.5;
  const samples: Sample[] = [];
  const now = Date.now();
  for (const info of await stack.containers()) {
    if (info.State !== 'running') continue;
    const service = info.Labels['com.docker.compose.service'] ?? '';
    const name = `${service}-${info.Labels['com.docker.compose.container-number']}`;
    const container = stack.docker.getContainer(info.Id);
    samples.push({
      container: name,
      role: 'container',
      pid: 0,
      t: now,
      rss: await cgroupMemory(container),
    });
    if (!PROBED.includes(service)) continue;
    const { stdout } = await exec(container, [
      'sh',
      '-c',
      'for f in /tmp/soak/*.json; do [ -f "$f" ] && cat "$f" && echo; done',
    ]);
    for (const line of stdout.split('\n')) {
      if (line.trim() === '') continue;
      const probe = JSON.parse(line) as Omit<Sample, 'container'>;
      if (now - probe.t <= staleMs) samples.push({ ...probe, container: name });
    }
  }
  return samples;
}

/** Usage minus the page cache the kernel may drop, as `docker stats` shows it. */
async function cgroupMemory(container: Docker.Container): Promise<number> {
  const stats = (await container.stats({ stream: false })) as {
    memory_stats?: { usage?: number; stats?: { inactive_file?: number } };
  };
  const usage = stats.memory_stats?.usage ?? 0;
  return usage - (stats.memory_stats?.stats?.inactive_file ?? 0);
}
