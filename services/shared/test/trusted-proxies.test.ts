import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressListSetting, ConfigError } from '../src/settings.ts';
import {
  ADDRESS_RANGES,
  addressRanges,
  expandAddressList,
  parseAddressList,
} from '../src/trusted-proxies.ts';

test('a list: comma-separated, blanks around entries and empty entries ignored, kept as written', () => {
  assert.deepEqual(parseAddressList(' 10.0.0.0/8, 172.18.0.3 ,fd00::/8'), [
    '10.0.0.0/8',
    '172.18.0.3',
    'fd00::/8',
  ]);
  assert.deepEqual(parseAddressList('uniquelocal,,loopback, '), ['uniquelocal', 'loopback']);
  assert.deepEqual(parseAddressList(''), []);
  assert.deepEqual(parseAddressList('0.0.0.0/0, ::/0, 10.0.0.1/32, ::1/128'), [
    '0.0.0.0/0',
    '::/0',
    '10.0.0.1/32',
    '::1/128',
  ]);
  assert.ok(Object.isFrozen(parseAddressList('loopback')));
});

test('refused: anything but an address, a decimal CIDR prefix in range, or a range name', () => {
  for (const entry of [
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '10.0.0.0/0x8',
    '10.0.0.0/8.0',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    '10.0.0.0/255.0.0.0',
    '10.0.0',
    'app',
    'localhost',
    'true',
    '2',
    'Loopback',
    'toString',
    '10.0.0.1 10.0.0.2',
  ]) {
    assert.throws(() => parseAddressList(`loopback, ${entry}`), {
      message: `${JSON.stringify(entry)} is not an IP address, a CIDR (prefix 0-32 for IPv4, 0-128 for IPv6) or one of loopback, linklocal, uniquelocal`,
    });
    assert.throws(() => expandAddressList([entry]), new RegExp(`^Error: ${JSON.stringify(entry)}`));
  }
});

test('each range name has one meaning: its CIDRs, for proxy-addr and for a BlockList alike', () => {
  assert.deepEqual(expandAddressList(['uniquelocal', '192.0.2.1']), [
    '10.0.0.0/8',
    '172.16.0.0/12',
    '192.168.0.0/16',
    'fc00::/7',
    '192.0.2.1',
  ]);
  assert.deepEqual(Object.keys(ADDRESS_RANGES), ['loopback', 'linklocal', 'uniquelocal']);
  assert.deepEqual(addressRanges(['loopback', '192.0.2.1', 'fe80::/10']), [
    { address: '127.0.0.0', prefix: 8, family: 'ipv4' },
    { address: '::1', prefix: 128, family: 'ipv6' },
    { address: '192.0.2.1', prefix: 32, family: 'ipv4' },
    { address: 'fe80::', prefix: 10, family: 'ipv6' },
  ]);
});

test('as a setting: the one-line error names the setting and the entry', () => {
  assert.deepEqual(addressListSetting('X_PROXIES', 'loopback'), ['loopback']);
  assert.throws(
    () => addressListSetting('X_PROXIES', '10.0.0.0/33'),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.setting === 'X_PROXIES' &&
      error.message.startsWith('invalid setting X_PROXIES: "10.0.0.0/33" is not') &&
      !error.message.includes('\n'),
  );
});
