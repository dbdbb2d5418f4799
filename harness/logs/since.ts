/** `SINCE=`: how far back `make logs` starts — a duration (`90s`, `5m`, `1h`, `2d`) or an ISO 8601 time. */
import { UserError } from '../support/errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The epoch milliseconds to start from; `now` is injectable for tests. */
export function parseSince(value: string, now = Date.now()): number {
  const text = value.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(text);
  if (duration) return now - Math.round(Number(duration[1]) * UNIT_MS[duration[2].toLowerCase()]!);
  // Only full ISO dates (2026-12-06, 2026-12-06T05:10:00Z): Date.parse accepts too much else ("1").
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const at = Date.parse(text);
    if (Number.isFinite(at)) {
      if (at > now) throw new UserError(`SINCE=${value} is in the future`, 2);
      return at;
    }
  }
  throw new UserError(`SINCE=${value} is neither a duration (30s, 5m, 1h, 2d) nor an ISO time (2026-12-06T05:10:00Z)`, 2);
}
