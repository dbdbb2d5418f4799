import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The SigV4 signing key, HMAC-chained from the secret through the scope:
 * four HMACs that depend only on (secret, date, region, service). Every
 * request pays for them unless they are remembered, so the keys live in a
 * small cache; a day's traffic of a handful of keys and services fits in it.
 */

const MAX_CACHED_KEYS = 256;
const cache = new Map<string, Buffer>();

export function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${date}\n${region}\n${service}\n${secretAccessKey}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  // A Map iterates in insertion order: the first entry is the oldest.
  if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, key);
  return key;
}

/** The hex signature of a string to sign. */
export function sign(key: Buffer, stringToSign: string): string {
  return hmac(key, stringToSign).toString('hex');
}

/**
 * Compares a computed signature with the one the client sent without leaking,
 * through timing, how much of it was right. Hex is compared case-insensitively
 * (S3 accepts an upper-case signature); base64 (SigV2) exactly.
 */
export function signaturesMatch(expected: string, provided: string, hex = true): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(hex ? provided.toLowerCase() : provided, 'latin1');
  // Lengths are not secret: a signature's length is fixed by its algorithm.
  return a.length === b.length && timingSafeEqual(a, b);
}
