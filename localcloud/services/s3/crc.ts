import zlib from 'node:zlib';

/**
 * The CRC variants S3 accepts as object checksums. All are reflected,
 * table-driven CRCs; CRC-32 uses zlib's native implementation where Node has
 * it (20.15+), the others have no native counterpart in Node.
 */

function reflectedTable32(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    table[i] = crc >>> 0;
  }
  return table;
}

function crc32With(table: Uint32Array, data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const CRC32_TABLE = reflectedTable32(0xedb88320);
const CRC32C_TABLE = reflectedTable32(0x82f63b78);

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** CRC-32 (IEEE 802.3, as in zip and gzip). */
export function crc32(data: Uint8Array): number {
  return nativeCrc32 ? nativeCrc32(data) >>> 0 : crc32With(CRC32_TABLE, data);
}

/** CRC-32C (Castagnoli, as in iSCSI). */
export function crc32c(data: Uint8Array): number {
  return crc32With(CRC32C_TABLE, data);
}

// CRC-64/NVME, reflected polynomial 0x9a6c9329ac4bc9b5. JavaScript has no
// fast 64-bit integers, so the register is kept as two 32-bit halves.
const CRC64_HI = new Uint32Array(256);
const CRC64_LO = new Uint32Array(256);
{
  const polynomial = 0x9a6c9329ac4bc9b5n;
  for (let i = 0; i < 256; i++) {
    let crc = BigInt(i);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ polynomial : crc >> 1n;
    CRC64_HI[i] = Number(crc >> 32n);
    CRC64_LO[i] = Number(crc & 0xffffffffn);
  }
}

/** CRC-64/NVME as 8 big-endian bytes (the form S3 base64-encodes). */
export function crc64nvme(data: Uint8Array): Buffer {
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const index = (lo ^ data[i]) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ CRC64_LO[index]) >>> 0;
    hi = ((hi >>> 8) ^ CRC64_HI[index]) >>> 0;
  }
  const out = Buffer.alloc(8);
  out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
  out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
  return out;
}
