/**
 * Fn::Cidr: carve `count` consecutive subnets of `2^cidrBits` addresses out of
 * an IPv4 or IPv6 block, starting at the block's first address. Addresses are
 * BigInts so one code path serves both families.
 */
import { evaluationError } from './errors.js';

interface Family {
  bits: number;
  parse(address: string): bigint | undefined;
  format(address: bigint): string;
}

const IPV4: Family = {
  bits: 32,
  parse(address) {
    const octets = address.split('.');
    if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) return undefined;
    return octets.reduce((total, octet) => (total << 8n) | BigInt(octet), 0n);
  },
  format(address) {
    return [24n, 16n, 8n, 0n].map((shift) => String((address >> shift) & 0xffn)).join('.');
  },
};

const IPV6: Family = {
  bits: 128,
  parse(address) {
    const halves = address.split('::');
    if (halves.length > 2) return undefined;
    const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
    const head = groupsOf(halves[0]!);
    const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
    const missing = 8 - head.length - tail.length;
    if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
    const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
    if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
    return groups.reduce((total, group) => (total << 16n) | BigInt(`0x${group}`), 0n);
  },
  /** RFC 5952 text: lower case, no leading zeros, the longest run of zero groups as `::`. */
  format(address) {
    const groups = Array.from({ length: 8 }, (_, index) => (address >> BigInt((7 - index) * 16)) & 0xffffn);
    let bestStart = -1;
    let bestLength = 1;
    for (let start = 0; start < 8; start++) {
      let length = 0;
      while (start + length < 8 && groups[start + length] === 0n) length++;
      if (length > bestLength) [bestStart, bestLength] = [start, length];
    }
    const text = groups.map((group) => group.toString(16));
    if (bestStart < 0) return text.join(':');
    return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLength).join(':')}`;
  },
};

export function cidrSubnets(ipBlock: string, count: number, cidrBits: number): string[] {
  const [address, prefixText] = ipBlock.split('/');
  const family = address?.includes(':') ? IPV6 : IPV4;
  const start = address === undefined ? undefined : family.parse(address);
  const prefix = Number(prefixText);
  if (start === undefined || prefixText === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > family.bits) {
    throw evaluationError(`Fn::Cidr: ${ipBlock} is not a valid CIDR block`);
  }
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    throw evaluationError(`Fn::Cidr: the number of subnets must be an integer between 1 and 256, not ${count}`);
  }
  const subnetPrefix = family.bits - cidrBits;
  if (!Number.isInteger(cidrBits) || cidrBits < 0 || subnetPrefix < prefix) {
    throw evaluationError(`Fn::Cidr: ${cidrBits} subnet bits do not fit in ${ipBlock}`);
  }
  const available = 1n << BigInt(subnetPrefix - prefix);
  if (BigInt(count) > available) {
    throw evaluationError(`Fn::Cidr: ${ipBlock} holds only ${available} subnets of /${subnetPrefix}, not ${count}`);
  }
  const hostBits = BigInt(family.bits - prefix);
  const network = (start >> hostBits) << hostBits;
  const size = 1n << BigInt(cidrBits);
  return Array.from({ length: count }, (_, index) => `${family.format(network + BigInt(index) * size)}/${subnetPrefix}`);
}
