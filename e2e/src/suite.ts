/**
 * One stack per describe block: started in `before`, `down -v` in `after`
 * (also when a test or the start failed). The time from `up` to healthy is
 * printed; the container logs are kept only when something failed.
 *
 *   describe('the chain', () => {
 *     const stack = useStack('chain');
 *     test('…', async () => { await fetch(stack().url('/')); });
 *   });
 */
import { rm } from 'node:fs/promises';
import { after, afterEach, before } from 'node:test';
import { type Stack, type StackOptions, startStack } from './stack.ts';

export function useStack(name: string, options: StackOptions = {}): () => Stack {
  let stack: Stack | undefined;
  let failed = false;
  before(async () => {
    stack = await startStack(name, options);
    console.log(
      `# ${name}: compose up → healthy ${stack.upSeconds.toFixed(1)} s (${stack.project})`,
    );
  });
  afterEach((t) => {
    // TestContext has `passed` at run time (Node 24); @types/node lists it on SuiteContext only.
    if ('passed' in t && !t.passed) failed = true;
  });
  after(async () => {
    if (!stack) return;
    await stack.down();
    // A stack that never started left its logs too; only a green run's go.
    if (!failed && !process.env.E2E_KEEP_ARTIFACTS) {
      await rm(stack.artifacts, { recursive: true, force: true });
    }
  });
  return () => {
    if (!stack) throw new Error(`the ${name} stack did not start`);
    return stack;
  };
}
