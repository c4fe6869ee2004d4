/**
 * The soak's load, until `signal` aborts, paced to about `rate` requests a
 * second in all: HTTP/1.1 keep-alive clients asking for the page, its
 * static assets, the list (cached by the edge, and past its cache) and
 * creating records; HTTP/2 streams over HTTPS, some of them cancelled
 * before the answer; clients that send their request head a byte at a
 * time, and connections opened and left without a request. What a record
 * is comes from e2e/src/domain.ts, as in every suite.
 */
import { type ClientHttp2Session, constants, connect as h2Connect } from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import {
  CREATE,
  createBody,
  fileUrlsOf,
  JSON_HEADERS,
  listPath,
  PAGE_PATH,
  postRecordWithFile,
} from '../../e2e/src/domain.ts';
import { BYPASS_CACHE } from '../../e2e/src/http.ts';
import { png } from '../../e2e/src/upload-files.ts';

export interface SoakLoadOptions {
  /** The edge's plain origin, `http://127.0.0.1:PORT`. */
  origin: string;
  /** The edge's HTTPS origin, the name its certificate is asked for, and the CA that signed it. */
  httpsOrigin: string;
  servername: string;
  ca: string;
  /** Static paths the page links to. */
  assets: readonly string[];
  /** Requests a second, all kinds together. */
  rate: number;
  signal: AbortSignal;
}

export interface LoadCounts {
  sent: Record<string, number>;
  failed: Record<string, number>;
  /** The first few failures, as `kind: what happened`. */
  examples: string[];
}

type Kind =
  | 'page'
  | 'static'
  | 'cached'
  | 'uncached'
  | 'create'
  | 'h2'
  | 'h2-cancel'
  | 'slow'
  | 'upload'
  | 'media';

/** One page, two of its assets, the list from the edge's cache and past it, one record created. */
const HTTP_MIX: readonly Kind[] = ['page', 'static', 'static', 'cached', 'uncached', 'create'];
const HTTP_CLIENTS = 6;
const H2_STREAMS = 4;

export async function runSoakLoad(options: SoakLoadOptions): Promise<LoadCounts> {
  const counts: LoadCounts = { sent: {}, failed: {}, examples: [] };
  const note = (kind: Kind, failure?: string) => {
    counts.sent[kind] = (counts.sent[kind] ?? 0) + 1;
    if (failure === undefined) return;
    counts.failed[kind] = (counts.failed[kind] ?? 0) + 1;
    if (counts.examples.length < 10) counts.examples.push(`${kind}: ${failure}`);
  };
  // Each loop waits out its share of a second between requests.
  const loops = HTTP_CLIENTS + H2_STREAMS + 1;
  const pace = async (started: number) => {
    const wait = (loops * 1000) / options.rate - (performance.now() - started);
    if (wait > 0) await sleep(wait, undefined, { signal: options.signal }).catch(() => {});
  };
  const pool = new Pool(options.origin, { connections: HTTP_CLIENTS, pipelining: 1 });
  const session = h2Connect(options.httpsOrigin, {
    ca: options.ca,
    servername: options.servername,
  });
  session.on('error', (error) => note('h2', `session: ${error.message}`));
  try {
    await Promise.all([
      ...Array.from({ length: HTTP_CLIENTS }, (_, i) => httpLoop(pool, i, options, note, pace)),
      ...Array.from({ length: H2_STREAMS }, (_, i) => h2Loop(session, i, options, note, pace)),
      slowLoop(options, note),
      uploadLoop(options, note),
    ]);
  } finally {
    await pool.close();
    session.close();
  }
  return counts;
}

type Note = (kind: Kind, failure?: string) => void;
type Pace = (started: number) => Promise<void>;

async function httpLoop(pool: Pool, client: number, o: SoakLoadOptions, note: Note, pace: Pace) {
  for (let i = client; !o.signal.aborted; i += HTTP_CLIENTS) {
    const started = performance.now();
    const kind = HTTP_MIX[i % HTTP_MIX.length] as Kind;
    const request =
      kind === 'create'
        ? { method: CREATE.method, path: CREATE.path, body: createBody('Soak', `request ${i}`) }
        : {
            method: 'GET' as const,
            path:
              kind === 'page'
                ? PAGE_PATH
                : kind === 'static'
                  ? asset(o, i)
                  : listPath({ limit: 5 }),
          };
    const expected = kind === 'create' ? CREATE.status : 200;
    try {
      const res = await pool.request({
        ...request,
        headers: kind === 'create' ? JSON_HEADERS : kind === 'uncached' ? BYPASS_CACHE : {},
      });
      await res.body.dump();
      note(kind, res.statusCode === expected ? undefined : `status ${res.statusCode}`);
    } catch (error) {
      if (!o.signal.aborted) note(kind, String(error));
    }
    await pace(started);
  }
}

function asset(o: SoakLoadOptions, i: number): string {
  return o.assets[i % Math.max(o.assets.length, 1)] ?? PAGE_PATH;
}

async function h2Loop(
  session: ClientHttp2Session,
  stream: number,
  o: SoakLoadOptions,
  note: Note,
  pace: Pace,
) {
  for (let i = stream; !o.signal.aborted && !session.destroyed; i += H2_STREAMS) {
    const started = performance.now();
    // Every fifth stream is cancelled, as a closed tab or a superseded
    // fetch does: the edge must let go of its upstream request.
    const cancel = i % 5 === 4;
    const path = i % 2 === 0 ? asset(o, i) : listPath({ limit: 5 });
    const outcome = await new Promise<string | undefined>((resolve) => {
      // Cancelled ones go past the edge's cache: a hit has no upstream request to let go of.
      const req = session.request(
        cancel ? { ':path': listPath({ limit: 7 }), ...BYPASS_CACHE } : { ':path': path },
      );
      let status = 0;
      req.on('response', (headers) => {
        status = Number(headers[':status']);
      });
      req.on('error', (error) => resolve(cancel ? undefined : error.message));
      req.on('close', () => resolve(cancel || status === 200 ? undefined : `status ${status}`));
      req.resume();
      // At 0–4 ms: before the edge reads the stream, while its upstream
      // request is out, or as the answer arrives.
      if (cancel) setTimeout(() => req.close(constants.NGHTTP2_CANCEL), Math.floor(i / 5) % 5);
    });
    note(cancel ? 'h2-cancel' : 'h2', outcome);
    await pace(started);
  }
}

/** One client at a time sends its head a byte every 20 ms; another connects and leaves. */
async function slowLoop(o: SoakLoadOptions, note: Note) {
  const { hostname, port } = new URL(o.origin);
  while (!o.signal.aborted) {
    const idle = tcpConnect(Number(port), hostname);
    idle.on('error', () => {});
    const status = await new Promise<string>((resolve) => {
      const socket = tcpConnect(Number(port), hostname);
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        answer += chunk;
      });
      socket.on('error', (error) => resolve(error.message));
      socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
      const head = Buffer.from(
        `GET ${PAGE_PATH} HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n`,
      );
      let sent = 0;
      const drip = setInterval(() => {
        if (sent < head.length && !socket.destroyed) socket.write(head.subarray(sent, ++sent));
        else clearInterval(drip);
      }, 20);
    });
    idle.destroy();
    note(
      'slow',
      status.startsWith('HTTP/1.1 200') ? undefined : `answered ${JSON.stringify(status)}`,
    );
  }
}

/**
 * One record with an image a second, each a new picture (the app stores
 * by content hash), then its image and thumbnail read back through the
 * edge's `/media/`: the app's decoding and re-encoding, and the edge's
 * media files, under the same watch as the rest.
 */
async function uploadLoop(o: SoakLoadOptions, note: Note) {
  const url = (path: string) => new URL(path, o.origin).toString();
  for (let i = 0; !o.signal.aborted; i++) {
    const started = performance.now();
    try {
      const res = await postRecordWithFile(url, 'Soak', {
        name: `soak-${i}.png`,
        type: 'image/png',
        data: png(48 + (i % 400), 32 + Math.floor(i / 400)),
      });
      const body = (await res.json()) as Parameters<typeof fileUrlsOf>[0];
      note('upload', res.status === CREATE.status ? undefined : `status ${res.status}`);
      for (const file of res.status === CREATE.status ? fileUrlsOf(body) : []) {
        const got = await fetch(url(file));
        await got.arrayBuffer();
        note('media', got.status === 200 ? undefined : `${file}: status ${got.status}`);
      }
    } catch (error) {
      if (!o.signal.aborted) note('upload', String(error));
    }
    const wait = 1000 - (performance.now() - started);
    if (wait > 0) await sleep(wait, undefined, { signal: o.signal }).catch(() => {});
  }
}
