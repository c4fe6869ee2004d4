/**
 * Uploads posted one after another while a step runs (a rolling update):
 * each must be created, and afterwards each stored file must be served.
 * The load loop (load.ts) proves no request fails; this proves the files
 * written by replicas coming and going all land in the volume the edge
 * reads.
 */
import assert from 'node:assert/strict';
import { CREATE, type DomainRecord, fileUrlsOf, postRecordWithFile } from './domain.ts';
import { png } from './upload-files.ts';

export interface UploadsResult {
  statuses: number[];
  files: string[];
}

export async function uploadsDuring(
  origin: string,
  step: () => Promise<void>,
): Promise<UploadsResult> {
  const url = (path: string) => new URL(path, origin).toString();
  let running = true;
  const statuses: number[] = [];
  const files: string[] = [];
  const loop = (async () => {
    for (let n = 1; running; n++) {
      // A new image each time (its size varies), so each is a new file.
      const res = await postRecordWithFile(url, `Upload ${n}`, {
        name: `during-${n}.png`,
        type: 'image/png',
        data: png(40 + (n % 200), 30),
      });
      statuses.push(res.status);
      if (res.status === CREATE.status)
        files.push(...fileUrlsOf((await res.json()) as DomainRecord));
      else await res.body?.cancel();
    }
  })();
  try {
    await step();
  } finally {
    running = false;
    await loop;
  }
  return { statuses, files };
}

/** Every upload was created and every file it stored is served now. */
export async function assertUploadsKept(origin: string, result: UploadsResult): Promise<void> {
  assert.ok(result.statuses.length > 0, 'uploads ran during the step');
  assert.deepEqual(
    result.statuses.filter((status) => status !== CREATE.status),
    [],
    'every upload was created',
  );
  for (const file of result.files) {
    const res = await fetch(new URL(file, origin));
    assert.equal(res.status, 200, `${file} is served`);
    await res.body?.cancel();
  }
}
