import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseH2load } from '../h2load.ts';

// h2load 1.52's summary of a timing-based run (-D), as printed.
const TIMED = `starting benchmark...
spawning thread #0: 2 total client(s). Timing-based test with 0s of warm-up time and 1s of main duration for measurements.
TLS Protocol: TLSv1.3
Cipher: TLS_AES_128_GCM_SHA256
Server Temp Key: X25519 253 bits
Application protocol: h2
Main benchmark duration is over for thread #0. Stopping all clients.

finished in 1.01s, 12560.00 req/s, 368.11KB/s
requests: 12560 total, 12564 started, 12560 done, 12560 succeeded, 0 failed, 0 errored, 0 timeout
status codes: 12560 2xx, 0 3xx, 0 4xx, 0 5xx
traffic: 368.11KB (376942) total, 85.96KB (88026) headers (space savings 91.01%), 61.33KB (62800) data
                     min         max         mean         sd        +/- sd
time for request:       61us     12.32ms       303us       543us    96.93%
time for connect:     8.28ms      8.66ms      8.47ms       270us   100.00%
time to 1st byte:    15.07ms     16.12ms     15.60ms       739us   100.00%
req/s           :    6272.97     6281.90     6277.44        6.32   100.00%
`;

// A count-based run (-n) whose server answered 404 to half, over TLS 1.2.
const FAILING = `starting benchmark...
spawning thread #0: 20 total client(s). 20 total requests
TLS Protocol: TLSv1.2
Cipher: ECDHE-ECDSA-AES128-GCM-SHA256
Server Temp Key: ECDH P-256 256 bits
Application protocol: h2

finished in 75.65ms, 264.38 req/s, 20.14KB/s
requests: 20 total, 20 started, 20 done, 10 succeeded, 10 failed, 0 errored, 0 timeout
status codes: 10 2xx, 0 3xx, 10 4xx, 0 5xx
                     min         max         mean         sd        +/- sd
time for request:     2.24ms      1.56s      3.83ms      1.23ms    60.00%
`;

test('a timing-based run: req/s, counts, time per request and the handshake', () => {
  assert.deepEqual(parseH2load(TIMED), {
    rps: 12560,
    requests: 12560,
    errors: 0,
    seconds: 1.01,
    meanMs: 0.303,
    maxMs: 12.32,
    protocol: 'h2',
    tls: 'TLSv1.3 TLS_AES_128_GCM_SHA256 X25519',
  });
});

test('failed requests are errors, and times in ms and s are read in their unit', () => {
  const result = parseH2load(FAILING);
  assert.equal(result.requests, 10);
  assert.equal(result.errors, 10);
  assert.ok(Math.abs(result.seconds - 0.07565) < 1e-9);
  assert.equal(result.maxMs, 1560);
  assert.equal(result.meanMs, 3.83);
  assert.equal(result.tls, 'TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 ECDH P-256');
});

test('a run that never connected reads as no protocol and no rate, not as zero latency', () => {
  const result = parseH2load(
    'starting benchmark...\nclient could not connect to host\nrequests: 5 total, 5 started, 0 done, 0 succeeded, 5 failed, 5 errored, 0 timeout\n',
  );
  assert.equal(result.protocol, 'none');
  assert.equal(result.errors, 5);
  assert.ok(Number.isNaN(result.rps));
  assert.ok(Number.isNaN(result.meanMs));
});
