import { createHash } from 'node:crypto';
import { crc32, crc32c, crc64nvme } from './crc.js';

/** The "additional checksums" S3 accepts next to (or instead of) Content-MD5. */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface ObjectChecksum {
  algorithm: ChecksumAlgorithm;
  /** Base64 of the digest, as it travels in `x-amz-checksum-*`. */
  value: string;
}

/** `x-amz-checksum-crc32` and friends. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

export function checksumAlgorithmOfHeader(header: string): ChecksumAlgorithm | undefined {
  const name = header.toLowerCase();
  return CHECKSUM_ALGORITHMS.find((a) => checksumHeaderName(a) === name);
}

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

export function computeChecksum(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  switch (algorithm) {
    case 'CRC32':
      return uint32(crc32(data)).toString('base64');
    case 'CRC32C':
      return uint32(crc32c(data)).toString('base64');
    case 'CRC64NVME':
      return crc64nvme(data).toString('base64');
    case 'SHA1':
      return createHash('sha1').update(data).digest('base64');
    case 'SHA256':
      return createHash('sha256').update(data).digest('base64');
  }
}

/** True when `value` is well-formed base64 of a digest of the algorithm's size. */
export function isWellFormedChecksum(algorithm: ChecksumAlgorithm, value: string): boolean {
  return isBase64(value) && Buffer.from(value, 'base64').length === DIGEST_BYTES[algorithm];
}

export function isBase64(value: string): boolean {
  return value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
}

export function md5(data: Uint8Array): Buffer {
  return createHash('md5').update(data).digest();
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
