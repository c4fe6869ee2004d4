/**
 * Real loopback upstreams and a plain node:http server in front of the
 * proxy. Several upstreams share one port on different loopback addresses
 * (127.0.0.1, 127.0.0.2, …) because that is what a replicated service looks
 * like behind one host name: same port, one address per replica.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { requestIdFrom } from '@stack/shared';
import {
  acceptsUpgrade,
  createProxy,
  type EdgeProxy,
  type ProxyContext,
  type ProxyOptions,
  proxyOptions,
} from '../../src/proxy/index.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Upstream {
  server: Server;
  address: string;
  port: number;
  /** Requests seen, by `METHOD path`. */
  seen: string[];
  close(): Promise<void>;
}

export async function startUpstream(
  t: TestContext,
  handler: Handler,
  address = '127.0.0.1',
  port = 0,
): Promise<Upstream> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  server.listen(port, address);
  await once(server, 'listening');
  const close = async () => {
    if (!server.listening) return;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  t.after(close);
  return { server, address, port: (server.address() as AddressInfo).port, seen, close };
}

/** `count` upstreams on 127.0.0.1…N, all on the same port. */
export async function startReplicas(
  t: TestContext,
  count: number,
  handler: (index: number) => Handler,
): Promise<Upstream[]> {
  const first = await startUpstream(t, handler(0));
  const all = [first];
  for (let i = 1; i < count; i++) {
    all.push(await startUpstream(t, handler(i), `127.0.0.${i + 1}`, first.port));
  }
  return all;
}

/** A resolver whose answer the test changes while the proxy runs. */
export function mutableResolver(addresses: string[]) {
  const state = { addresses, calls: 0 };
  const resolve = async () => {
    state.calls++;
    if (state.addresses.length === 0) {
      throw Object.assign(new Error('no such host'), { code: 'ENOTFOUND' });
    }
    return state.addresses.map((address) => ({ address, family: 4 }));
  };
  return { state, resolve };
}

/**
 * `ready.length` replicas behind an edge that checks `/readyz` every 50 ms:
 * replica i answers it 200 or 503 as `ready[i]` says at that moment (the test
 * flips it), and hands every other request to `handler(i)`.
 */
export async function startCheckedReplicas(
  t: TestContext,
  ready: boolean[],
  handler: (index: number) => Handler,
): Promise<{ replicas: Upstream[]; edge: Edge }> {
  const replicas = await startReplicas(t, ready.length, (i) => {
    const serve = handler(i);
    return (req, res) => {
      if (req.url === '/readyz') {
        res.statusCode = ready[i] ? 200 : 503;
        res.end();
        return;
      }
      serve(req, res);
    };
  });
  const { resolve } = mutableResolver(ready.map((_, i) => `127.0.0.${i + 1}`));
  const edge = await startEdge(t, {
    upstream: upstreamUrl(replicas[0]?.port ?? 0),
    resolve,
    healthPath: '/readyz',
    healthIntervalMs: 50,
  });
  return { replicas, edge };
}

export interface Edge {
  url: string;
  port: number;
  proxy: EdgeProxy;
  server: Server;
  /** Access-log view of each finished request: what the caller's log would get. */
  log: Array<{ status: number } & ProxyContext>;
}

/** A plain node:http server in front of the proxy, as the edge's skeleton will be. */
export async function startEdge(
  t: TestContext,
  options: Partial<ProxyOptions> & { upstream: URL },
  extras: { serverOptions?: ServerOptions; awaitReady?: boolean } = {},
): Promise<Edge> {
  const proxy = createProxy(proxyOptions({ healthIntervalMs: 0, ...options }));
  const log: Edge['log'] = [];
  const handle = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    const ctx = { requestId: requestIdFrom(req.headers['x-request-id']) };
    res.on('finish', () => log.push({ status: res.statusCode, ...ctx }));
    proxy.handle(req, res, ctx, expectsContinue);
  };
  // Wired as edge.ts wires it: only WebSocket GETs upgrade, and `100
  // Continue` is the proxy's to send.
  const server = createServer(
    { shouldUpgradeCallback: acceptsUpgrade, ...extras.serverOptions },
    (req, res) => handle(req, res, false),
  );
  server.on('checkContinue', (req, res) => handle(req, res, true));
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    proxy.upgrade(req, socket, head, { requestId: requestIdFrom(req.headers['x-request-id']) });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.closeAllConnections();
    server.close();
    await proxy.close();
  });
  if (extras.awaitReady !== false) await proxy.ready;
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, proxy, server, log };
}

export function upstreamUrl(port: number, host = 'app.test'): URL {
  return new URL(`http://${host}:${port}`);
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

export interface Send {
  method?: string;
  path?: string;
  headers?: Record<string, string | string[]>;
  /** Written as one piece, or chunk by chunk (chunked encoding when no length is given). */
  body?: string | Buffer | Array<string | Buffer>;
}

/** One request on a fresh connection; resolves with the whole response. */
export function send(port: number, options: Send = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body,
            text: body.toString(),
          });
        });
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (Array.isArray(body)) for (const part of body) req.write(part);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true or `ms` passed. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/**
 * A slowloris client: sends `head` (a request line and some headers), then
 * one more header line every 100 ms, never the blank line that ends the
 * head. Resolves when the server closes the connection; `onData` sees what
 * the server said before.
 */
export function slowClient(
  t: TestContext,
  port: number,
  head: string,
  onData?: (chunk: Buffer) => void,
): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  if (onData) socket.on('data', onData);
  socket.write(head);
  const drip = setInterval(() => socket.write('X-Drip: 1\r\n'), 100);
  // Not events.once: it would reject on the EPIPE of a drip after the cut.
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  closed.then(() => clearInterval(drip));
  t.after(() => {
    clearInterval(drip);
    socket.destroy();
  });
  return closed;
}

/**
 * A port whose connections never complete: a child process listens with a
 * backlog of 1 and then blocks its event loop (without spinning) so it never
 * accepts; once the queue is full the kernel drops further SYNs, exactly
 * what a hung or overloaded host looks like.
 */
export async function startBlackhole(t: TestContext): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:net').createServer();
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         console.log(s.address().port);
         setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 20);
       });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => {
    child.kill('SIGKILL');
  });
  const [data] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(String(data).trim());
  await sleep(100);
  const held: Socket[] = [];
  for (let i = 0; i < 4; i++) held.push(connect(port, '127.0.0.1').on('error', () => {}));
  t.after(() => {
    for (const socket of held) socket.destroy();
  });
  await sleep(100);
  return port;
}
