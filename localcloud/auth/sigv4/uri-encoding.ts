/**
 * The one encoding SigV4 knows: RFC 3986 percent-encoding of UTF-8 bytes,
 * everything but `A-Z a-z 0-9 - _ . ~` escaped, hex digits in upper case.
 * Unlike `encodeURIComponent` it also escapes `! ' ( ) *`, and it works on
 * bytes, so a path with an invalid UTF-8 sequence (`%FF`) round-trips.
 */

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;
const HEX = '0123456789ABCDEF';

function isUnreservedByte(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e
  );
}

/** Percent-encodes every byte of `bytes` that is not unreserved. */
export function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += isUnreservedByte(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** Strict SigV4 encoding of a text (its UTF-8 bytes). */
export function uriEncode(text: string): string {
  return UNRESERVED.test(text) ? text : encodeBytes(Buffer.from(text, 'utf8'));
}

/**
 * Decodes `%XX` escapes to bytes; anything else is taken as its UTF-8 bytes.
 * A `%` not followed by two hex digits stays a literal `%`, as AWS reads it.
 * With `plusIsSpace` (query strings), `+` is a space, as in form encoding.
 */
export function percentDecode(text: string, plusIsSpace: boolean): Buffer {
  if (!text.includes('%') && !(plusIsSpace && text.includes('+'))) return Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === 0x2b && plusIsSpace) {
      bytes.push(0x20);
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // A raw non-ASCII character (or surrogate pair): its UTF-8 bytes.
      const codePoint = text.codePointAt(i)!;
      const char = String.fromCodePoint(codePoint);
      for (const b of Buffer.from(char, 'utf8')) bytes.push(b);
      i += char.length - 1;
    }
  }
  return Buffer.from(bytes);
}

/** Re-encodes a sent (percent-encoded) component strictly: `%7e` and `~` both become `~`, `+` in a query a `%20`. */
export function normalizeEncoding(sent: string, plusIsSpace: boolean): string {
  if (UNRESERVED.test(sent)) return sent;
  return encodeBytes(percentDecode(sent, plusIsSpace));
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
