/**
 * Which peers may speak for the client. With no trusted proxies (the
 * default) a client's own `X-Forwarded-*` headers are thrown away: anybody
 * can send `X-Forwarded-For: 203.0.113.7`, and an app that logs or rate-limits
 * by it would believe them. Same rule as nginx's realip module
 * (https://nginx.org/en/docs/http/ngx_http_realip_module.html).
 */

import type { Socket } from 'node:net';
import { BlockList, isIP } from 'node:net';
import { addressRanges } from '@stack/shared/trusted-proxies';

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** `::ffff:10.0.0.1` (a dual-stack listener's view of an IPv4 peer) becomes `10.0.0.1`. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  const mapped = MAPPED_V4.exec(address);
  return mapped ? (mapped[1] as string) : address;
}

/**
 * The BlockList of an address list (`@stack/shared/trusted-proxies`: the
 * grammar and the range names the app's APP_TRUSTED_PROXIES takes too), built
 * once at start; throws on a bad entry, naming it.
 */
export function trustList(entries: readonly string[]): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const { address, prefix, family } of addressRanges(entries)) {
    list.addSubnet(address, prefix, family);
  }
  return list;
}

const kPeer = Symbol('edge.peer');
const kTrusted = Symbol('edge.peerTrusted');

interface PeerSocket extends Socket {
  [kPeer]?: string;
  [kTrusted]?: boolean;
}

/**
 * The peer address and whether it is trusted, computed once per connection
 * (keep-alive clients send many requests on one socket).
 */
export function peerOf(socket: Socket, trusted: BlockList | null): PeerSocket {
  const s = socket as PeerSocket;
  if (s[kPeer] === undefined) {
    const address = normalizeAddress(socket.remoteAddress);
    s[kPeer] = address;
    s[kTrusted] = addressIn(trusted, address);
  }
  return s;
}

export function peerAddress(socket: Socket, trusted: BlockList | null): string {
  return peerOf(socket, trusted)[kPeer] as string;
}

export function peerTrusted(socket: Socket, trusted: BlockList | null): boolean {
  return peerOf(socket, trusted)[kTrusted] as boolean;
}

/** Whether `address` (a socket's `remoteAddress`) is in `list`; never when there is none. */
export function addressIn(list: BlockList | null, address: string | undefined): boolean {
  const normal = normalizeAddress(address);
  return list !== null && normal !== '' && list.check(normal, isIP(normal) === 6 ? 'ipv6' : 'ipv4');
}
