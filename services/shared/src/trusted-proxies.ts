/**
 * The address-list grammar of APP_TRUSTED_PROXIES, EDGE_TRUSTED_PROXIES and
 * EDGE_METRICS_ALLOW: comma-separated entries, blanks around them ignored,
 * each an IP address, a CIDR (`address/prefix`) or a range name. One grammar
 * and one meaning per name, so a value means the same to the edge's
 * BlockList as to the app's Fastify (proxy-addr), which only ever sees the
 * addresses and CIDRs this expands to. Imports nothing but node:net: the
 * edge's proxy loads it.
 */
import { isIP } from 'node:net';

/** What each range name stands for (proxy-addr's names, with proxy-addr's ranges). */
export const ADDRESS_RANGES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  loopback: Object.freeze(['127.0.0.0/8', '::1/128']),
  linklocal: Object.freeze(['169.254.0.0/16', 'fe80::/10']),
  uniquelocal: Object.freeze(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']),
});

/** One address or subnet; a lone address has the family's full prefix. */
export interface AddressRange {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

const RANGE_NAMES = Object.keys(ADDRESS_RANGES).join(', ');

function rangeOf(entry: string): AddressRange | undefined {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const bits = version === 4 ? 32 : 128;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) return { address, prefix: bits, family };
  // Decimal digits only: Number() would also read '', '0x8' and '8.0'.
  const text = entry.slice(slash + 1);
  const prefix = Number(text);
  if (!/^\d{1,3}$/.test(text) || prefix > bits) return undefined;
  return { address, prefix, family };
}

function refusal(entry: string): Error {
  return new Error(
    `${JSON.stringify(entry)} is not an IP address, a CIDR (prefix 0-32 for IPv4, 0-128 for IPv6) or one of ${RANGE_NAMES}`,
  );
}

/** The entries of a list as written (trimmed, blanks dropped); throws the one-line reason for the first bad one. */
export function parseAddressList(value: string): readonly string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (!Object.hasOwn(ADDRESS_RANGES, entry) && rangeOf(entry) === undefined) {
      throw refusal(entry);
    }
  }
  return Object.freeze(entries);
}

/** The entries with each range name replaced by what it stands for; throws on a bad entry. */
export function expandAddressList(entries: readonly string[]): string[] {
  return entries.flatMap((raw) => {
    const entry = raw.trim();
    if (Object.hasOwn(ADDRESS_RANGES, entry)) return [...(ADDRESS_RANGES[entry] as string[])];
    if (rangeOf(entry) === undefined) throw refusal(entry);
    return [entry];
  });
}

/** The address ranges a list covers, for a BlockList; throws on a bad entry. */
export function addressRanges(entries: readonly string[]): AddressRange[] {
  return expandAddressList(entries).map((entry) => rangeOf(entry) as AddressRange);
}
