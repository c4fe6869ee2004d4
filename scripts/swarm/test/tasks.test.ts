import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DockerError } from '../docker.ts';
import { tasks } from '../swarm.ts';

const task = (id: string, iteration: number) => ({
  ID: id,
  NodeID: `node-of-${id}`,
  CreatedAt: '2026-11-27T12:00:00Z',
  DesiredState: 'shutdown',
  Spec: { ContainerSpec: { Image: 'app:v2' } },
  Status: { State: 'complete' },
  JobIteration: { Index: iteration },
});

/** A docker CLI whose answers are scripted per call, recording the calls. */
function scripted(answers: Array<string | Error>) {
  const calls: string[][] = [];
  const cli = async (args: readonly string[]) => {
    calls.push([...args]);
    const answer = answers.shift();
    if (answer === undefined) throw new Error(`unexpected call: docker ${args.join(' ')}`);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { cli, calls };
}

describe('tasks of a service', () => {
  test('reads every listed task, with its job run', async () => {
    const { cli, calls } = scripted(['t1\nt2\n', JSON.stringify([task('t1', 3), task('t2', 4)])]);
    const found = await tasks('s_migrate', cli);
    assert.deepEqual(
      found.map((t) => [t.id, t.state, t.iteration, t.image, t.node]),
      [
        ['t1', 'complete', 3, 'app:v2', 'node-of-t1'],
        ['t2', 'complete', 4, 'app:v2', 'node-of-t2'],
      ],
    );
    assert.deepEqual(calls[1], ['inspect', '--type', 'task', 't1', 't2']);
  });

  test('lists again when Swarm pruned a listed task before it was read', async () => {
    const gone = new DockerError(
      'docker inspect --type: Error response from daemon: task t1 not found',
    );
    const { cli, calls } = scripted(['t1\nt2\n', gone, 't2\n', JSON.stringify([task('t2', 4)])]);
    const found = await tasks('s_migrate', cli);
    assert.deepEqual(
      found.map((t) => t.id),
      ['t2'],
    );
    assert.equal(calls.length, 4);
  });

  test('a task that keeps vanishing, or any other error, is not hidden', async () => {
    const gone = new DockerError('docker inspect --type: task t1 not found');
    const answers = Array.from({ length: 5 }, () => ['t1\n', gone]).flat();
    const vanishing = scripted(answers);
    await assert.rejects(tasks('s_migrate', vanishing.cli), /task t1 not found/);
    assert.equal(vanishing.calls.length, 10, 'five listings, then the error');
    const denied = new DockerError('docker inspect --type: permission denied');
    await assert.rejects(tasks('s', scripted(['t1\n', denied]).cli), /permission denied/);
  });

  test('a service with no task has none', async () => {
    assert.deepEqual(await tasks('s', scripted(['']).cli), []);
  });
});
