import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CACHE_TARGETS } from '../proxy/cache-rows.ts';
import { cacheTable } from '../proxy/cache-table.ts';
import type { ProxiedRow } from '../proxy/measure.ts';

const row = (target: string, rps: number, cpu: number, app?: number): ProxiedRow => ({
  target,
  rps,
  p50Ms: 1,
  p99Ms: 3,
  errors: 0,
  requests: rps * 5,
  cpuUsPerRequest: cpu,
  ...(app === undefined ? {} : { upstreamCpuUsPerRequest: app }),
});

test('the cache table checks a hit against the cache off (10×) and the static fast path (0.8×)', () => {
  const lines = cacheTable([
    row(CACHE_TARGETS.off, 2000, 300, 350),
    row(CACHE_TARGETS.hit, 24_000, 50, 2),
    row(CACHE_TARGETS.fast, 25_000, 40),
    row(CACHE_TARGETS.nginx, 40_000, 20),
  ]);
  const text = lines.join('\n');
  assert.match(text, /\| edge, cache on \(hits\) +\| +24000 \|/);
  const header = lines[0] ?? '';
  assert.match(header, /\| CPU µs\/req \| app CPU µs\/req \| RSS MiB \| hit ÷ this \(req\/s\) \|$/);
  assert.equal(
    header.split('|').length,
    (lines[2] ?? '').split('|').length,
    'as many cells as columns',
  );
  assert.match(
    text,
    /target hit ≥ 10× the same edge with its cache off: 12\.00× \(met\); CPU per request, this ÷ hit: 6\.00×/,
  );
  assert.match(text, /target hit ≥ 0\.8× the edge's static fast path: 0\.96× \(met\)/);
  assert.match(
    text,
    /edge \+ app CPU per request \(PostgreSQL's not counted\): cache off 650 µs, hit 52 µs \(12\.5×\)/,
  );
  assert.match(text, /hit ÷ nginx proxy_cache hit: 0\.60× \(no target\)/);
});

test('a missed target says MISSED', () => {
  const text = cacheTable([
    row(CACHE_TARGETS.off, 2000, 300),
    row(CACHE_TARGETS.hit, 10_000, 90),
    row(CACHE_TARGETS.fast, 20_000, 50),
  ]).join('\n');
  assert.match(text, /5\.00× \(MISSED\)/);
  assert.match(text, /0\.50× \(MISSED\)/);
  assert.doesNotMatch(text, /edge \+ app CPU/, 'no app figure, no sum');
});
