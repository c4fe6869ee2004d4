/**
 * The app's one-shots (migrate, collectstatic: Swarm jobs) run with a given
 * image, and run again with the serving image after Swarm rolled the app
 * back: collectstatic made the refused release's asset set current, and the
 * volume must name the set of the release that serves. Its migrations stay
 * applied: migrations only ever add (migrations/README.md), and the serving
 * release accepts newer ones (DESIGN.md).
 */
import { jobDone, jobIteration, serviceImage, updateImage, updateState } from './swarm.ts';

const ONE_SHOTS = ['migrate', 'collectstatic'] as const;

/**
 * Runs migrate, then collectstatic, with `image`, and waits for each run to
 * complete; --force starts a run even when the image is the one the job has.
 */
export async function runOneShots(stack: string, image: string, timeoutMs: number): Promise<void> {
  for (const oneShot of ONE_SHOTS) {
    const name = `${stack}_${oneShot}`;
    await updateImage(name, image, ['--detach', '--force']);
    await jobDone(name, await jobIteration(name), timeoutMs);
    console.log(`${name} ran ${image}`);
  }
}

/**
 * After a rolled-back update of the app (`error` says so), runs the one-shots
 * with the image Swarm went back to, then rethrows `error`. Only after a
 * finished rollback is that image what serves: a paused or timed-out update
 * needs an operator, and the one-shots stay as they are.
 */
export async function restoreOneShotsAfterRollback(
  stack: string,
  error: unknown,
  timeoutMs: number,
): Promise<never> {
  const app = `${stack}_app`;
  if ((await updateState(app)).state !== 'rollback_completed') throw error;
  const serving = await serviceImage(app);
  console.error(`${app} was rolled back to ${serving}; restoring its one-shots`);
  try {
    await runOneShots(stack, serving, timeoutMs);
  } catch (restoring) {
    const why = restoring instanceof Error ? restoring.message : String(restoring);
    const what = error instanceof Error ? error.message : String(error);
    throw new Error(`${what}; restoring the one-shots failed too: ${why}`);
  }
  throw error;
}
