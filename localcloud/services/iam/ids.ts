import { randomBytes, randomInt } from 'node:crypto';

/**
 * Identifiers shaped like AWS's, so tools that check their form accept them:
 * unique ids are a four-letter type prefix plus 17 upper-case letters and
 * digits (AIDA users, AROA roles, AGPA groups, ANPA policies), access key ids
 * a prefix plus 16 (AKIA long-term, ASIA temporary), secrets 40 characters.
 */
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export type UniqueIdPrefix = 'AIDA' | 'AROA' | 'AGPA' | 'ANPA';

export const uniqueId = (prefix: UniqueIdPrefix) => prefix + randomString(UPPER_ALNUM, 17);
export const accessKeyId = (prefix: 'AKIA' | 'ASIA') => prefix + randomString(UPPER_ALNUM, 16);
export const secretAccessKey = () => randomString(SECRET_ALPHABET, 40);
/** STS session tokens are long opaque base64; their content means nothing outside STS. */
export const sessionToken = () => 'FwoGZXIvYXdzE' + randomBytes(180).toString('base64');
