import { AuthFailure } from './failure.js';

/** The clock rules of SigV4: how far a request may be from the server, how long a presigned URL lives. */

/** AWS refuses a header-signed request more than this far from its clock, in either direction. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** The longest X-Amz-Expires: seven days. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses `yyyyMMdd'T'HHmmss'Z'`; undefined for anything else, including impossible dates. */
export function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return date.getUTCDate() === +m[3] && date.getUTCHours() === +m[4] ? date : undefined;
}

/** `20130524T000000Z` */
export function toAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** `2013-05-24T00:00:00Z`: how S3 writes ServerTime and Expires. */
export function toIsoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An HTTP Date header (RFC 7231 IMF-fixdate, or the obsolete forms Date.parse also reads). */
export function parseHttpDate(text: string): Date | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** A header-signed request (SigV4 or SigV2) must be within 15 minutes of the server clock, either way. */
export function checkSkew(signedAt: Date, amzDate: string, now: Date, presigned = false): void {
  const skew = now.getTime() - signedAt.getTime();
  if (Math.abs(skew) <= MAX_SKEW_MS) return;
  const past = skew > 0;
  const nowText = toAmzDate(now);
  const limit = toAmzDate(new Date(now.getTime() + (past ? -MAX_SKEW_MS : MAX_SKEW_MS)));
  const detail = past
    ? `Signature expired: ${amzDate} is now earlier than ${limit} (${nowText} - 15 min.)`
    : `Signature not yet current: ${amzDate} is still later than ${limit} (${nowText} + 15 min.)`;
  throw new AuthFailure('TimeTooSkewed', detail, { presigned, amzDate, serverTime: now, skew: past ? 'past' : 'future' });
}
