/**
 * The app's one-shots (migrate, collectstatic: Swarm jobs) run with a given
 * image, and run again with the serving image after Swarm rolled the app
 * back: collectstatic made the refused release's asset set current, and the
 * volume must name the set of the release that serves. Its migrations stay
 * applied: migrations only ever add (migrations/README.md), and the serving
 * release's /readyz accepts newer ones.
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
  let serving: string | undefined;
  try {
    if ((await updateState(app)).state === 'rollback_completed') serving = await serviceImage(app);
  } catch (reading) {
    throw alsoFailed(error, `reading ${app}'s update`, reading);
  }
  if (serving === undefined) throw error;
  console.error(`${app} was rolled back to ${serving}; restoring its one-shots`);
  try {
    await runOneShots(stack, serving, timeoutMs);
  } catch (restoring) {
    throw alsoFailed(error, 'restoring the one-shots', restoring);
  }
  throw error;
}

/** One error saying what failed first, and what then failed while handling it. */
function alsoFailed(first: unknown, doing: string, then: unknown): Error {
  const text = (e: unknown) => (e instanceof Error ? e.message : String(e));
  return new Error(`${text(first)}; ${doing} failed too: ${text(then)}`);
}
