/**
 * `settled` and `Problems`: a browser step Chromium dropped for a network
 * change is run again and its drops are no problem lines; anything else
 * fails at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Problems, settled } from '../src/chromium.ts';

const DROPPED = 'net::ERR_NETWORK_CHANGED';
const dropped = () => new Error(`page.goto: ${DROPPED} at https://localhost/`);

test('a dropped request is counted, never a problem line; other lines are kept', () => {
  const problems = new Problems();
  problems.add(`failed: https://localhost/entries ${DROPPED}`);
  problems.add(`console: Failed to load resource: ${DROPPED}`);
  problems.add('500: https://localhost/x');
  assert.equal(problems.drops, 2);
  assert.deepEqual(problems.lines, ['500: https://localhost/x']);
});

test('a step that threw the drop is run again', async () => {
  const attempts: number[] = [];
  const result = await settled(new Problems(), async (attempt) => {
    attempts.push(attempt);
    if (attempt === 1) throw dropped();
    return 'done';
  });
  assert.equal(result, 'done');
  assert.deepEqual(attempts, [1, 2]);
});

test('a step that ended well while one of its requests was dropped is run again', async () => {
  const problems = new Problems();
  let calls = 0;
  await settled(problems, async () => {
    calls++;
    if (calls === 1) problems.add(`failed: https://localhost/app.css ${DROPPED}`);
  });
  assert.equal(calls, 2);
  assert.deepEqual(problems.lines, []);
});

test('any other failure stands at the first attempt; three drops in a row stand too', async () => {
  let calls = 0;
  await assert.rejects(
    settled(new Problems(), async () => {
      calls++;
      throw new Error('net::ERR_CONNECTION_REFUSED');
    }),
    /ERR_CONNECTION_REFUSED/,
  );
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(
    settled(new Problems(), async () => {
      calls++;
      throw dropped();
    }),
    /ERR_NETWORK_CHANGED/,
  );
  assert.equal(calls, 3);
});
