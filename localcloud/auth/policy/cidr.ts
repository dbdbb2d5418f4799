/**
 * CIDR ranges for the IpAddress / NotIpAddress operators: IPv4 and IPv6, a
 * bare address meaning a single host (/32 or /128). Addresses are compared as
 * BigInts of 32 or 128 bits; an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`)
 * counts as its IPv4 address.
 */
import { isIPv4, isIPv6 } from 'node:net';

interface Address {
  version: 4 | 6;
  value: bigint;
}

export interface CidrRange {
  version: 4 | 6;
  network: bigint;
  mask: bigint;
}

/** The range a policy value names, or undefined when it is not a valid CIDR. */
export function parseCidr(text: string): CidrRange | undefined {
  const [host, bits, extra] = text.trim().split('/');
  if (extra !== undefined || host === undefined) return undefined;
  const address = parseAddress(host);
  if (address === undefined) return undefined;
  const width = address.version === 4 ? 32 : 128;
  const prefix = bits === undefined ? width : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= width)) return undefined;
  const all = (1n << BigInt(width)) - 1n;
  const mask = prefix === 0 ? 0n : (all << BigInt(width - prefix)) & all;
  return { version: address.version, network: address.value & mask, mask };
}

export function cidrContains(range: CidrRange, ip: string): boolean {
  const address = parseAddress(ip.trim());
  return address !== undefined && address.version === range.version && (address.value & range.mask) === range.network;
}

function parseAddress(text: string): Address | undefined {
  if (isIPv4(text)) return { version: 4, value: ipv4Value(text) };
  if (!isIPv6(text)) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) return { version: 4, value: ipv4Value(mapped[1]!) };
  return { version: 6, value: ipv6Value(text) };
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(text: string): bigint {
  let groups: string[];
  // An embedded IPv4 tail (`64:ff9b::192.0.2.1`) is two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let source = text;
  if (tail) {
    const v4 = Number(ipv4Value(tail[1]!));
    source = `${text.slice(0, tail.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, rest] = source.split('::');
  const headGroups = head ? head.split(':') : [];
  if (rest === undefined) {
    groups = headGroups;
  } else {
    const restGroups = rest ? rest.split(':') : [];
    groups = [...headGroups, ...Array<string>(8 - headGroups.length - restGroups.length).fill('0'), ...restGroups];
  }
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}
