/**
 * S3's general-purpose bucket naming rules: 3–63 characters of lower-case
 * letters, digits, dots and hyphens; starting and ending with a letter or
 * digit; no two adjacent dots; not shaped like an IP address; and none of the
 * prefixes and suffixes AWS reserves for other kinds of bucket.
 */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function isValidBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes('..')) return false;
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return false;
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false;
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return false;
  return true;
}

/**
 * Orders keys the way S3 lists them: by their UTF-8 bytes. JavaScript compares
 * UTF-16 code units, which agrees with UTF-8 order except that surrogates
 * (characters above U+FFFF) must sort after U+E000–U+FFFF; shifting the two
 * ranges past each other fixes that without encoding anything.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
