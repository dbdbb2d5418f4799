/**
 * A strict ISO-8601 reader. `Date.parse` is too forgiving for a storage key:
 * it turns 2024-02-30 into March 1st and 24:00 into the next day, and accepts
 * free-form dates whose meaning depends on the engine and the local time zone.
 */

// YYYY-MM-DD, optionally followed by Thh:mm[:ss[.fraction]] and a zone (Z or ±hh:mm / ±hhmm).
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

const MAX_ZONE_OFFSET_MINUTES = 18 * 60;

/**
 * Milliseconds since the epoch, or `undefined` when `text` is not a real ISO-8601
 * date-time. A time without a zone is read as UTC (Lambda's own zone), so the
 * result never depends on the machine that parses it. Digits beyond
 * milliseconds are truncated.
 */
export function parseIsoTimestamp(text: string): number | undefined {
  const match = ISO_8601.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year);
  return date.getTime() - offset * 60_000;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (minutes > 59) return undefined;
  const total = hours * 60 + minutes;
  return total > MAX_ZONE_OFFSET_MINUTES ? undefined : sign * total;
}
