/**
 * New events of one log group, through FilterLogEvents — the same API call on
 * AWS, LocalStack and the embedded cloud. Each poll asks again from a little
 * before the newest event seen (events can reach CloudWatch late, with an
 * earlier timestamp) and drops those already printed, by event id.
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { errorName } from '../support/errors.js';

/** How far back each poll looks again for late arrivals. */
const LATE_ARRIVAL_WINDOW_MS = 10_000;
/** A poll reads at most this many pages; the rest comes with the next poll. */
const MAX_PAGES_PER_POLL = 20;

export class LogGroupCursor {
  private newest: number;
  /** Ids printed within the late-arrival window, with their timestamps. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly client: CloudWatchLogsClient,
    readonly logGroupName: string,
    startTime: number,
    private readonly filterPattern?: string,
  ) {
    this.newest = startTime;
  }

  /** Events not returned before, oldest first. A group that does not exist yet (never invoked) has none. */
  async poll(signal?: AbortSignal): Promise<FilteredLogEvent[]> {
    const fresh: FilteredLogEvent[] = [];
    const startTime = Math.max(0, this.newest - LATE_ARRIVAL_WINDOW_MS);
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
        const out = await this.client.send(
          new FilterLogEventsCommand({
            logGroupName: this.logGroupName,
            startTime,
            ...(this.filterPattern ? { filterPattern: this.filterPattern } : {}),
            ...(nextToken ? { nextToken } : {}),
          }),
          { abortSignal: signal },
        );
        for (const event of out.events ?? []) {
          const id = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
          if (this.seen.has(id) || (event.timestamp ?? 0) < startTime) continue;
          this.seen.set(id, event.timestamp ?? 0);
          fresh.push(event);
        }
        nextToken = out.nextToken;
        if (!nextToken) break;
      }
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
    for (const event of fresh) this.newest = Math.max(this.newest, event.timestamp ?? 0);
    const forgetBefore = this.newest - LATE_ARRIVAL_WINDOW_MS;
    for (const [id, timestamp] of this.seen) if (timestamp < forgetBefore) this.seen.delete(id);
    return fresh.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  }
}
