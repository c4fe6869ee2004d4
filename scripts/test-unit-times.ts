/**
 * A node:test reporter for `npm run test:unit`: adds up each file's
 * top-level tests and writes `{ file: seconds }` as JSON to the path in
 * TEST_UNIT_TIMES_OUT, once the shard ends. test-unit.ts reads these to
 * print the slowest files and, with `--write-times`, to refresh
 * test-unit-times.json, which balances the shards of the next runs.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';

type Event = {
  type: string;
  data: { nesting?: number; file?: string; details?: { duration_ms?: number } };
};

export default async function* timesReporter(source: AsyncIterable<Event>): AsyncGenerator<string> {
  const seconds: Record<string, number> = {};
  for await (const event of source) {
    const { nesting, file, details } = event.data;
    if (event.type !== 'test:complete' || nesting !== 0 || !file) continue;
    const name = relative(process.cwd(), file);
    seconds[name] = (seconds[name] ?? 0) + (details?.duration_ms ?? 0) / 1000;
  }
  const out = process.env.TEST_UNIT_TIMES_OUT;
  if (out) writeFileSync(out, JSON.stringify(seconds));
  yield* [];
}
