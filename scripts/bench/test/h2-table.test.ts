import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { H2Cell, H2Results } from '../h2-table.ts';
import { type BenchResults, resultSections } from '../report.ts';

const cell = (rps: number, cpuUs: number): H2Cell => ({
  rps,
  requests: rps * 3,
  errors: 0,
  seconds: 3,
  meanMs: 1.5,
  maxMs: 9,
  protocol: 'h2',
  tls: 'TLSv1.3 TLS_AES_128_GCM_SHA256 X25519',
  cpuUs,
});

const TLS = 'TLSv1.3 TLS_AES_128_GCM_SHA256 X25519';

// 1 KiB: the edge at 0.8× bare, 3× Caddy (both met); 100 KiB: 0.5× bare, 2× Caddy (both missed);
// proxied: 0.9× the pass-through (met); new connections: no target.
const H2: H2Results = {
  rows: [
    {
      name: 'static 1 KiB',
      handshakes: false,
      cells: {
        edge: cell(24_000, 40),
        'bare node:http2': cell(30_000, 30),
        nginx: cell(48_000, 20),
        caddy: cell(8_000, 120),
      },
    },
    {
      name: 'static 100 KiB',
      handshakes: false,
      cells: {
        edge: cell(4_000, 200),
        'bare node:http2': cell(8_000, 100),
        nginx: cell(8_000, 90),
        caddy: cell(2_000, 400),
      },
    },
    {
      name: 'proxied small response',
      handshakes: false,
      cells: {
        edge: cell(9_000, 100),
        'bare h2→h1 pass-through': cell(10_000, 90),
        nginx: cell(12_000, 50),
        caddy: cell(5_000, 250),
      },
    },
    {
      name: 'new TLS connections',
      handshakes: true,
      cells: {
        edge: cell(400, 1800),
        'bare node:http2': cell(500, 1100),
        nginx: cell(400, 600),
        caddy: cell(800, 900),
      },
    },
  ],
  tls: { edge: TLS, 'bare node:http2': TLS, nginx: TLS, caddy: TLS },
  loadEnd: [1, 2, 3],
  load: { clients: 10, streams: 10, burst: 200 },
};

const RESULTS: BenchResults = {
  wrk: { connections: 50, duration: '3s', runs: 2 },
  proxied: [],
  h2: H2,
};
const lines = resultSections(RESULTS);
const cellsOf = (line: string | undefined) =>
  (line ?? '')
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
/** A row's cells in the n-th table that has it (0: req/s, 1: ratios, 2: CPU). */
const rowIn = (name: string, n: number) =>
  cellsOf(lines.filter((line) => line.startsWith(`| ${name} `))[n]);

test('the h2 section: its title, h2load settings and load, req/s with – where a target has no such row', () => {
  assert.equal(lines[0], '### HTTP/2 over TLS');
  assert.ok(
    lines.some((l) =>
      l.startsWith('h2load -t1 -c10 -m10 -D3s, best of 2; new TLS connections: bursts of 200'),
    ),
  );
  assert.ok(lines.some((l) => l.endsWith('load average at the end 1.00 2.00 3.00')));
  assert.deepEqual(rowIn('row', 0), [
    'row',
    'edge',
    'bare node:http2',
    'bare h2→h1 pass-through',
    'nginx',
    'caddy',
  ]);
  assert.deepEqual(rowIn('static 1 KiB', 0), [
    'static 1 KiB',
    '24.0k (1.50)',
    '30.0k (1.50)',
    '–',
    '48.0k (1.50)',
    '8.0k (1.50)',
  ]);
  assert.deepEqual(rowIn('proxied small response', 0)[2], '–');
  assert.equal(rowIn('new TLS connections', 0)[1], '400 (1.50)');
});

test('ratios: bare Node ≥ 0.8 and Caddy ≥ 3 on static rows, the pass-through ≥ 0.8 on the proxied one', () => {
  assert.deepEqual(rowIn('static 1 KiB', 1), [
    'static 1 KiB',
    '0.80× (met, ≥ 0.8)',
    '3.00× (met, ≥ 3)',
    '0.50×',
  ]);
  assert.deepEqual(rowIn('static 100 KiB', 1), [
    'static 100 KiB',
    '0.50× (MISSED, ≥ 0.8)',
    '2.00× (MISSED, ≥ 3)',
    '0.50×',
  ]);
  assert.deepEqual(rowIn('proxied small response', 1), [
    'proxied small response',
    '0.90× (met, ≥ 0.8)',
    '1.80×',
    '0.75×',
  ]);
  assert.deepEqual(rowIn('new TLS connections', 1), [
    'new TLS connections',
    '0.80×',
    '0.50×',
    '1.00×',
  ]);
});

test('CPU per request per target, and one TLS line when every target negotiated alike', () => {
  assert.deepEqual(rowIn('new TLS connections', 2), [
    'new TLS connections',
    '1800.0',
    '1100.0',
    '–',
    '600.0',
    '900.0',
  ]);
  assert.ok(lines.includes(`TLS, every target: ${TLS}.`));
  const differing = resultSections({
    ...RESULTS,
    h2: { ...H2, tls: { ...H2.tls, caddy: 'TLSv1.2 X' } },
  });
  assert.ok(
    differing.some(
      (l) => l.startsWith('TLS (differs between targets):') && l.includes('caddy TLSv1.2 X'),
    ),
  );
});
