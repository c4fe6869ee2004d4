/**
 * EDGE_TLS_CERTS=acme on the plain port: `/.well-known/acme-challenge/<token>`
 * is the edge's own (never proxied, never redirected), answered with the
 * key authorization the primary sent for that token (challenges.ts). A
 * token it does not hold is asked of EDGE_ACME_PEERS (every address each
 * name resolves to, at once, the first 200 wins), so on Swarm the node the
 * CA happens to reach answers for the node that ordered; a peer asked that
 * way answers from its own tokens only (PEER_HEADER), so no request loops.
 * Otherwise 404. RFC 8555 §8.3: the key authorization is the whole body.
 */
import { lookup } from 'node:dns/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { REQUEST_ID_HEADER, requestIdFrom } from '@stack/shared';
import type { AccessLog } from '../access-log.ts';
import { ACME_CHALLENGE_PREFIX } from './redirect.ts';

export const PEER_HEADER = 'x-edge-acme-peer';
const PEER_TIMEOUT_MS = 2000;
// RFC 8555 §8.1: a token is base64url; anything else is never sent on to a peer.
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export interface Peer {
  readonly host: string;
  readonly port: number;
}

function askOne(address: string, port: number, token: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: address,
        port,
        path: `${ACME_CHALLENGE_PREFIX}${token}`,
        headers: { [PEER_HEADER]: '1' },
        timeout: PEER_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve(res.statusCode === 200 ? Buffer.concat(chunks).toString() : undefined),
        );
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** The first peer that holds `token`, or undefined. */
async function askPeers(peers: readonly Peer[], token: string): Promise<string | undefined> {
  const asks: Promise<string | undefined>[] = [];
  for (const peer of peers) {
    const addresses = await lookup(peer.host, { all: true }).catch(() => []);
    for (const { address } of addresses) asks.push(askOne(address, peer.port, token));
  }
  if (asks.length === 0) return undefined;
  return new Promise((resolve) => {
    let left = asks.length;
    for (const ask of asks) {
      void ask.then((body) => {
        if (body !== undefined) resolve(body);
        else if (--left === 0) resolve(undefined);
      });
    }
  });
}

/** Returns the handler: true when the request was a challenge (it is answered), false otherwise. */
export function challengeAnswer(
  tokens: ReadonlyMap<string, string>,
  peers: readonly Peer[],
  log: AccessLog,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const answer = (req: IncomingMessage, res: ServerResponse, started: number, body?: string) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const status = body === undefined ? 404 : 200;
    const payload = body ?? 'no such ACME challenge token\n';
    const bytes = Buffer.byteLength(payload);
    res.writeHead(status, {
      'content-type': body === undefined ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      'content-length': bytes,
      'cache-control': 'no-store',
      [REQUEST_ID_HEADER]: requestId,
    });
    res.end(req.method === 'HEAD' ? undefined : payload);
    log(
      req.method as string,
      req.url as string,
      status,
      bytes,
      performance.now() - started,
      requestId,
    );
  };
  return (req, res) => {
    const url = req.url as string;
    if (!url.startsWith(ACME_CHALLENGE_PREFIX)) return false;
    const started = performance.now();
    const query = url.indexOf('?');
    const token = url.slice(ACME_CHALLENGE_PREFIX.length, query === -1 ? undefined : query);
    const held = tokens.get(token);
    if (
      held !== undefined ||
      peers.length === 0 ||
      req.headers[PEER_HEADER] !== undefined ||
      !TOKEN.test(token)
    ) {
      answer(req, res, started, held);
      return true;
    }
    void askPeers(peers, token).then((body) => answer(req, res, started, body));
    return true;
  };
}
