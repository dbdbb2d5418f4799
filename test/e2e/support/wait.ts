/**
 * Bounded polling for eventually-consistent results (stream → Lambda → table).
 * No fixed sleeps: the wait ends as soon as the condition holds, and a timeout
 * names what was awaited and what was last seen.
 */

export interface WaitOptions {
  timeoutMs?: number;
  /** First interval; grows to `maxIntervalMs`. */
  intervalMs?: number;
  maxIntervalMs?: number;
}

export const DEFAULT_WAIT_MS = 120_000;

/**
 * Calls `probe` until it returns something other than undefined. `probe` may
 * call `note(text)` to say what it saw, which the timeout message repeats; a
 * thrown error counts as "not yet" and its message is noted.
 */
export async function waitFor<T>(
  description: string,
  probe: (note: (seen: string) => void) => Promise<T | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const maxInterval = options.maxIntervalMs ?? 1000;
  let interval = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastSeen: string | undefined;
  const note = (seen: string) => {
    lastSeen = seen;
  };
  for (;;) {
    try {
      const value = await probe(note);
      if (value !== undefined) return value;
    } catch (error) {
      lastSeen = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${description}${lastSeen ? `; last seen: ${lastSeen}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now()))));
    interval = Math.min(maxInterval, interval * 1.5);
  }
}
