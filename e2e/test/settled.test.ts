/**
 * `settled`: a browser step dropped with ERR_NETWORK_CHANGED is run again and
 * its lines leave the problems; anything else fails at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settled } from '../src/chromium.ts';

const dropped = () => new Error('page.goto: net::ERR_NETWORK_CHANGED at https://localhost/');

test('a dropped step is run again; its network-change lines go, other lines stay', async () => {
  const problems = ['before: kept'];
  const attempts: number[] = [];
  const result = await settled(problems, async (attempt) => {
    attempts.push(attempt);
    if (attempt === 1) {
      problems.push(
        'failed: https://localhost/ net::ERR_NETWORK_CHANGED',
        '500: https://localhost/x',
      );
      throw dropped();
    }
    return 'done';
  });
  assert.equal(result, 'done');
  assert.deepEqual(attempts, [1, 2]);
  assert.deepEqual(problems, ['before: kept', '500: https://localhost/x']);
});

test('a step that ended well but saw a subresource dropped is run again', async () => {
  const problems: string[] = [];
  let calls = 0;
  await settled(problems, async () => {
    calls++;
    if (calls === 1) problems.push('failed: https://localhost/app.css net::ERR_NETWORK_CHANGED');
  });
  assert.equal(calls, 2);
  assert.deepEqual(problems, []);
});

test('any other failure stands at the first attempt; three drops in a row stand too', async () => {
  let calls = 0;
  await assert.rejects(
    settled([], async () => {
      calls++;
      throw new Error('net::ERR_CONNECTION_REFUSED');
    }),
    /ERR_CONNECTION_REFUSED/,
  );
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(
    settled([], async () => {
      calls++;
      throw dropped();
    }),
    /ERR_NETWORK_CHANGED/,
  );
  assert.equal(calls, 3);
});
