import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { H2Results } from '../h2-table.ts';
import { type BenchResults, judgements, resultSections } from '../report.ts';
import { rounds } from './fakes.ts';

const cell = (rps: number, cpuUs: number | number[]) => rounds(cpuUs, rps, { meanMs: 1.5 });

const TLS = 'TLSv1.3 TLS_AES_128_GCM_SHA256 X25519';

// CPU: 1 KiB, the edge at 1.2× bare (met); 100 KiB, 2× bare (MISSED); proxied: its rounds
// disagree (±20%); new connections: informational only.
const H2: H2Results = {
  rows: [
    {
      name: 'static 1 KiB',
      handshakes: false,
      cells: {
        edge: cell(24_000, 36),
        'bare node:http2': cell(30_000, 30),
        nginx: cell(48_000, 18),
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
        edge: cell(9_000, [90, 100, 110]),
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
  memory: {
    rest: { rssMiB: 80, privateMiB: 35 },
    peak: { rssMiB: 98, privateMiB: 52 },
    peakRow: 'new TLS connections',
  },
  loadStart: [0.5, 1, 1.5],
  loadEnd: [1, 2, 3],
  load: { clients: 10, streams: 10, burst: 200 },
};

const RESULTS: BenchResults = {
  wrk: { connections: 50, duration: '3s', runs: 3, quick: false },
  proxied: [],
  h2: H2,
};
const lines = resultSections(RESULTS);
const cellsOf = (line: string | undefined) =>
  (line ?? '')
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
/** A row's cells in the n-th table that has it (0: CPU, 1: CPU ratios, 2: req/s, 3: req/s ratios). */
const rowIn = (name: string, n: number) =>
  cellsOf(lines.filter((line) => line.startsWith(`| ${name} `))[n]);

test('the h2 section: its title, h2load settings, rounds and load, CPU first with – where a target has no such row', () => {
  assert.equal(lines[0], '### HTTP/2 over TLS');
  assert.equal(
    lines[2],
    'h2load -t1 -c10 -m10 -D3s; new TLS connections: bursts of 200 clients, one request each (a full handshake, no resumption); 3 rounds interleaved; medians, ±spread = (max − min) ÷ median; load average (1, 5, 15 min) 0.50 1.00 1.50 at the start, 1.00 2.00 3.00 at the end',
  );
  assert.match(lines[4] ?? '', /^CPU µs per request/);
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
    '36.0 ±0%',
    '30.0 ±0%',
    '–',
    '18.0 ±0%',
    '120 ±0%',
  ]);
  assert.equal(rowIn('proxied small response', 0)[1], '100 ±20%');
  assert.equal(rowIn('proxied small response', 0)[2], '–');
});

test('CPU ratios: judged ≤ 1.2× against each row’s bare reference on open connections only', () => {
  assert.deepEqual(rowIn('static 1 KiB', 1), [
    'static 1 KiB',
    '1.20× (met, ≤ 1.2×)',
    '0.30×',
    '2.00×',
  ]);
  assert.equal(rowIn('static 100 KiB', 1)[1], '2.00× (MISSED, ≤ 1.2×)');
  assert.equal(rowIn('proxied small response', 1)[1], '1.11× (spread too wide: edge ±20%)');
  assert.deepEqual(rowIn('new TLS connections', 1), [
    'new TLS connections',
    '1.64×',
    '2.00×',
    '3.00×',
  ]);
});

test('req/s with the mean time per request, and its ratios as information', () => {
  assert.deepEqual(rowIn('static 1 KiB', 2), [
    'static 1 KiB',
    '24.0k ±0% (1.50)',
    '30.0k ±0% (1.50)',
    '–',
    '48.0k ±0% (1.50)',
    '8.0k ±0% (1.50)',
  ]);
  assert.equal(rowIn('new TLS connections', 2)[1], '400 ±0% (1.50)');
  assert.deepEqual(rowIn('proxied small response', 3), [
    'proxied small response',
    '0.90×',
    '1.80×',
    '0.75×',
  ]);
});

test('the edge worker’s memory with the row its RSS peaked on, and the h2 targets in the summary', () => {
  assert.deepEqual(cellsOf(lines.find((l) => l.startsWith('| edge  '))), [
    'edge',
    '80.0',
    '35.0',
    '98.0',
    '52.0',
    'new TLS connections',
    'RSS met, its own MISSED',
  ]);
  assert.deepEqual(
    judgements(RESULTS).map((j) => `${j.verdict.status}: ${j.what}`),
    [
      'met: h2 static 1 KiB: CPU edge ÷ bare node:http2',
      'MISSED: h2 static 100 KiB: CPU edge ÷ bare node:http2',
      'not judged: h2 proxied small response: CPU edge ÷ bare h2→h1 pass-through',
      'met: h2, edge: RSS at peak',
      'MISSED: h2, edge: its own memory at peak',
    ],
  );
});

test('one TLS line when every target negotiated alike, each target’s when not', () => {
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
