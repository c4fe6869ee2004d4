import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { H2_ROWS } from '../h2-rows.ts';
import { MIN_ROUNDS, SPREAD_BOUND } from '../rounds.ts';
import { ROWS } from '../static-rows.ts';
import { CPU_TARGETS, MEMORY_TARGETS, targetsTable } from '../verdict-targets.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('README.md’s targets table is the one the tables judge by', () => {
  assert.ok(
    README.includes(`\n${targetsTable().join('\n')}\n`),
    `README.md's "Targets" table differs from targetsTable(); paste:\n${targetsTable().join('\n')}`,
  );
});

test('README.md states the spread bound and the least rounds', () => {
  assert.ok(README.includes(`**±${Math.round(SPREAD_BOUND * 100)}%**`));
  assert.ok(README.includes(`\`--runs\` is at least ${MIN_ROUNDS}`));
});

test('every row a target names is a row the bench measures', () => {
  const staticRows = ROWS.map((row) => row.name);
  for (const name of CPU_TARGETS.static.rows) assert.ok(staticRows.includes(name), name);
  const h2Rows = H2_ROWS.map((row) => row.name);
  for (const name of CPU_TARGETS.h2.rows) assert.ok(h2Rows.includes(name), name);
});

test('the targets as given', () => {
  assert.equal(CPU_TARGETS.static.max, 1.15);
  assert.equal(CPU_TARGETS.proxiedBare.max, 1.1);
  assert.equal(CPU_TARGETS.proxiedCaddy.max, 0.5);
  assert.equal(CPU_TARGETS.h2.max, 1.2);
  assert.equal(CPU_TARGETS.cacheHit.max, 1.2);
  assert.deepEqual(MEMORY_TARGETS, { rssMiB: 100, privateMiB: 50 });
});
