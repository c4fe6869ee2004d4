import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addPeak, type WorkerMemory } from '../memory.ts';
import { memory, parseSmapsRollup } from '../processes.ts';

// A worker's /proc/PID/smaps_rollup, as read on this machine (trimmed).
const ROLLUP = `00400000-7fff3e60a000 ---p 00000000 00:00 0                              [rollup]
Rss:               94920 kB
Pss:               69894 kB
Shared_Clean:      48456 kB
Shared_Dirty:          0 kB
Private_Clean:      4680 kB
Private_Dirty:     41784 kB
Anonymous:         41768 kB
`;

test('the RSS and the private part (clean + dirty) in MiB', () => {
  assert.deepEqual(parseSmapsRollup(ROLLUP), {
    rssMiB: 94920 / 1024,
    privateMiB: (4680 + 41784) / 1024,
  });
});

test('no Rss line, or no process: nothing', () => {
  assert.equal(parseSmapsRollup('Pss: 1 kB\n'), undefined);
  assert.equal(memory(2 ** 22 + 12345), undefined);
});

test('this process, read from /proc', () => {
  const mine = memory(process.pid);
  assert.ok(mine && mine.rssMiB > 10 && mine.privateMiB > 0 && mine.privateMiB < mine.rssMiB);
});

test('a peak is each field’s highest, and remembers the row whose RSS was highest', () => {
  const m: WorkerMemory = {};
  addPeak(m, { rssMiB: 100, privateMiB: 60 }, 'a');
  addPeak(m, { rssMiB: 90, privateMiB: 70 }, 'b');
  addPeak(m, undefined, 'c');
  assert.deepEqual(m, { peak: { rssMiB: 100, privateMiB: 70 }, peakRow: 'a' });
});
