/**
 * HTTP/2 rapid reset (CVE-2023-44487): a client that opens streams and
 * cancels them at once, far faster than policy.ts's streamResetBurst and
 * streamResetRate allow (1000, then 33 a second), gets GOAWAY from the
 * edge, while a well-behaved client on the same worker keeps getting its
 * answers and the edge stays up.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { get, TABLE_CSS } from '../helpers.ts';
import { h2Get, h2Session, readRoot, startTlsEdge } from './helpers.ts';

const CSS = `/static/${TABLE_CSS}`;
// Ten times the burst within the time bound: a flood, not a busy page.
const FLOOD_STREAMS = 10_000;
const FLOOD_MS = 3000;
/**
 * Streams per round trip. The round trip (a PING) keeps the edge's open
 * streams under maxConcurrentStreams, so what ends the session is the
 * reset bound; without it, cancelled streams pile up faster than the worker
 * frees them and maxSessionRejectedStreams cuts the session instead (no
 * GOAWAY then, the socket just ends), which would hide a missing reset bound.
 */
const BATCH = 50;

interface Flood {
  opened: number;
  goaway: { code: number; lastStreamId: number } | undefined;
  ms: number;
}

/** Opens and cancels streams (HEADERS then RST_STREAM) until GOAWAY, the session's end or a bound. */
async function flood(session: ClientHttp2Session): Promise<Flood> {
  const result: Flood = { opened: 0, goaway: undefined, ms: 0 };
  let ended = false;
  session.on('goaway', (code: number, lastStreamId: number) => {
    result.goaway ??= { code, lastStreamId };
    ended = true;
  });
  // GOAWAY with an error code also surfaces as the session's error: expected here.
  session.on('error', () => {});
  session.once('close', () => {
    ended = true;
  });
  const t0 = performance.now();
  while (!ended && result.opened < FLOOD_STREAMS && performance.now() - t0 < FLOOD_MS) {
    for (let i = 0; i < BATCH && !session.closed && !session.destroyed; i++) {
      const stream: ClientHttp2Stream = session.request({ ':path': CSS });
      stream.on('error', () => {});
      stream.close(constants.NGHTTP2_CANCEL);
      result.opened++;
    }
    await new Promise((resolve) => {
      if (session.destroyed || !session.ping(() => resolve(undefined))) resolve(undefined);
    });
  }
  result.ms = performance.now() - t0;
  session.destroy();
  return result;
}

test('a rapid-reset flood gets GOAWAY; another client on the same worker is served throughout', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-tls-reset-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // One worker: the polite client and the flood share its event loop.
  const edge = await startTlsEdge(t, { EDGE_TLS_DIR: dir, EDGE_WORKERS: '1' });
  const ca = await readRoot(dir);

  const polite = await h2Session(t, edge.tlsPort, ca);
  const statuses: number[] = [];
  const politeErrors: unknown[] = [];
  let running = true;
  const politeLoop = (async () => {
    while (running) {
      try {
        statuses.push((await h2Get(polite, CSS)).status);
      } catch (error) {
        politeErrors.push(error);
      }
    }
  })();

  const attacker = connect(`https://localhost:${edge.tlsPort}`, { ca });
  t.after(() => attacker.destroy());
  await once(attacker, 'connect');
  const result = await flood(attacker);
  // The polite client goes on a little after the flood, on the same session.
  const during = statuses.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  running = false;
  await politeLoop;

  const summary = `${result.opened} streams opened and cancelled in ${Math.round(result.ms)} ms`;
  assert.ok(result.goaway, `the edge sent GOAWAY (${summary})`);
  // nghttp2's rate limit answers with INTERNAL_ERROR once the burst is spent.
  assert.equal(result.goaway.code, constants.NGHTTP2_INTERNAL_ERROR, summary);
  assert.ok(result.opened >= 1000 && result.opened < FLOOD_STREAMS, summary);
  assert.deepEqual(politeErrors, [], 'no polite request failed');
  assert.ok(during > 0, 'the polite client was answered during the flood');
  assert.ok(statuses.length > during, 'and after it');
  assert.deepEqual(new Set(statuses), new Set([200]), 'every polite request answered 200');
  assert.equal(polite.closed || polite.destroyed, false, 'the polite session is still open');
  assert.equal(edge.child.exitCode, null, 'the edge is up');
  assert.equal((await get(edge.port, '/_edge/healthz')).status, 200);
  const metrics = (await get(edge.port, '/_edge/metrics')).body.toString();
  assert.match(metrics, /^edge_h2_session_errors_total [1-9]/m, 'the ended session is counted');
  assert.equal((await h2Get(await h2Session(t, edge.tlsPort, ca), CSS)).status, 200);
});
