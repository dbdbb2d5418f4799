import type {
  CreateLogGroupCommandInput,
  CreateLogStreamCommandInput,
  DeleteLogGroupCommandInput,
  DeleteLogStreamCommandInput,
  DeleteRetentionPolicyCommandInput,
  DescribeLogGroupsCommandInput,
  DescribeLogGroupsCommandOutput,
  DescribeLogStreamsCommandInput,
  DescribeLogStreamsCommandOutput,
  FilteredLogEvent,
  FilterLogEventsCommandInput,
  FilterLogEventsCommandOutput,
  GetLogEventsCommandInput,
  GetLogEventsCommandOutput,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  ListTagsLogGroupCommandInput,
  ListTagsLogGroupCommandOutput,
  LogGroup as LogGroupShape,
  LogStream as LogStreamShape,
  PutLogEventsCommandInput,
  PutLogEventsCommandOutput,
  PutRetentionPolicyCommandInput,
  RejectedLogEventsInfo,
  TagLogGroupCommandInput,
  TagResourceCommandInput,
  UntagLogGroupCommandInput,
  UntagResourceCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../core/errors.js';
import type { ServiceRequest } from '../../core/types.js';
import { groupExists, groupNotFound, invalidParameter, resourceNotFound, streamExists, streamNotFound } from './errors.js';
import { compileFilterPattern } from './filter-pattern.js';
import { compareText, type EventKey, type LogGroup, type LogStore, type LogStream, type NewEvent, type StoredEvent } from './log-store.js';

type Output<T> = Omit<T, '$metadata'>;

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const MAX_EVENTS_PER_PUT = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;
const DAY_MS = 24 * 3600 * 1000;
const TOO_OLD_MS = 14 * DAY_MS;
const TOO_NEW_MS = 2 * 3600 * 1000;
const MAX_TAGS = 50;

/**
 * The CloudWatch Logs operations (JSON 1.1), each typed with the SDK's own
 * input and output shapes. Timestamps are epoch milliseconds on this API.
 */
export class LogsOperations {
  constructor(private readonly store: LogStore) {}

  // ---- log groups -------------------------------------------------------------------

  CreateLogGroup(input: CreateLogGroupCommandInput, req: ServiceRequest): void {
    const name = groupName(input.logGroupName);
    if (this.store.group(req.accountId, req.region, name)) throw groupExists();
    const tags = validateTags(input.tags);
    if (input.logGroupClass !== undefined && !['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'].includes(input.logGroupClass)) {
      throw invalidParameter(`Invalid logGroupClass: ${input.logGroupClass}`);
    }
    this.store.createGroup(req.accountId, req.region, name, { kmsKeyId: input.kmsKeyId, tags, logGroupClass: input.logGroupClass });
  }

  DeleteLogGroup(input: DeleteLogGroupCommandInput, req: ServiceRequest): void {
    this.store.deleteGroup(req.accountId, req.region, this.requireGroup(req, groupName(input.logGroupName)));
  }

  DescribeLogGroups(input: DescribeLogGroupsCommandInput, req: ServiceRequest): Output<DescribeLogGroupsCommandOutput> {
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
    }
    const limit = pageLimit(input.limit, 50);
    const after = input.nextToken === undefined ? undefined : decodeToken<string>(input.nextToken);
    if (input.logGroupIdentifiers != null && !Array.isArray(input.logGroupIdentifiers)) {
      throw new AwsError('SerializationException', 'logGroupIdentifiers must be a list of log group names or ARNs', 400);
    }
    const identifiers = input.logGroupIdentifiers?.map((id) => groupNameFromIdentifier(id));
    const matching = this.store
      .groups(req.accountId, req.region)
      .filter(
        (g) =>
          (input.logGroupNamePrefix === undefined || g.name.startsWith(input.logGroupNamePrefix)) &&
          (input.logGroupNamePattern === undefined || g.name.includes(input.logGroupNamePattern)) &&
          (input.logGroupClass === undefined || g.logGroupClass === input.logGroupClass) &&
          (identifiers === undefined || identifiers.includes(g.name)) &&
          (after === undefined || compareText(g.name, after) > 0),
      );
    const page = matching.slice(0, limit);
    return {
      logGroups: page.map((g) => this.describeGroup(g, req)),
      nextToken: matching.length > limit ? encodeToken(page[page.length - 1].name) : undefined,
    };
  }

  PutRetentionPolicy(input: PutRetentionPolicyCommandInput, req: ServiceRequest): void {
    const group = this.requireGroup(req, groupName(input.logGroupName));
    const days = input.retentionInDays;
    if (typeof days !== 'number' || !RETENTION_DAYS.includes(days)) {
      throw invalidParameter(
        `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
      );
    }
    group.retentionInDays = days;
    this.store.groupChanged(req.accountId, req.region);
  }

  DeleteRetentionPolicy(input: DeleteRetentionPolicyCommandInput, req: ServiceRequest): void {
    const group = this.requireGroup(req, groupName(input.logGroupName));
    group.retentionInDays = undefined;
    this.store.groupChanged(req.accountId, req.region);
  }

  // ---- tags ---------------------------------------------------------------------------

  TagResource(input: TagResourceCommandInput, req: ServiceRequest): void {
    const group = this.groupForArn(req, input.resourceArn);
    this.setTags(group, validateTags(input.tags ?? {}), req);
  }

  UntagResource(input: UntagResourceCommandInput, req: ServiceRequest): void {
    const group = this.groupForArn(req, input.resourceArn);
    for (const key of input.tagKeys ?? []) delete group.tags[key];
    this.store.groupChanged(req.accountId, req.region);
  }

  ListTagsForResource(input: ListTagsForResourceCommandInput, req: ServiceRequest): Output<ListTagsForResourceCommandOutput> {
    return { tags: { ...this.groupForArn(req, input.resourceArn).tags } };
  }

  /** The older, name-based tagging calls (still used by some tools). */
  TagLogGroup(input: TagLogGroupCommandInput, req: ServiceRequest): void {
    this.setTags(this.requireGroup(req, groupName(input.logGroupName)), validateTags(input.tags ?? {}), req);
  }

  UntagLogGroup(input: UntagLogGroupCommandInput, req: ServiceRequest): void {
    const group = this.requireGroup(req, groupName(input.logGroupName));
    for (const key of input.tags ?? []) delete group.tags[key];
    this.store.groupChanged(req.accountId, req.region);
  }

  ListTagsLogGroup(input: ListTagsLogGroupCommandInput, req: ServiceRequest): Output<ListTagsLogGroupCommandOutput> {
    return { tags: { ...this.requireGroup(req, groupName(input.logGroupName)).tags } };
  }

  // ---- log streams --------------------------------------------------------------------

  CreateLogStream(input: CreateLogStreamCommandInput, req: ServiceRequest): void {
    const group = this.requireGroup(req, groupName(input.logGroupName));
    const name = streamName(input.logStreamName);
    if (group.streams.has(name)) throw streamExists();
    this.store.createStream(req.accountId, req.region, group, name);
  }

  DeleteLogStream(input: DeleteLogStreamCommandInput, req: ServiceRequest): void {
    const group = this.requireGroup(req, groupName(input.logGroupName));
    const stream = group.streams.get(streamName(input.logStreamName));
    if (!stream) throw streamNotFound();
    this.store.deleteStream(req.accountId, req.region, group, stream);
  }

  DescribeLogStreams(input: DescribeLogStreamsCommandInput, req: ServiceRequest): Output<DescribeLogStreamsCommandOutput> {
    const group = this.groupOf(input, req);
    const orderBy = input.orderBy ?? 'LogStreamName';
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') throw invalidParameter(`Invalid orderBy: ${orderBy}`);
    if (orderBy === 'LastEventTime' && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const limit = pageLimit(input.limit, 50);
    const offset = input.nextToken === undefined ? 0 : decodeToken<number>(input.nextToken);
    if (!Number.isInteger(offset) || offset < 0) throw invalidParameter('The specified nextToken is invalid.');
    const streams = [...group.streams.values()].filter((s) => input.logStreamNamePrefix === undefined || s.name.startsWith(input.logStreamNamePrefix));
    streams.sort(
      orderBy === 'LogStreamName'
        ? (a, b) => compareText(a.name, b.name)
        : (a, b) => (a.lastEventTimestamp ?? -1) - (b.lastEventTimestamp ?? -1) || compareText(a.name, b.name),
    );
    if (input.descending) streams.reverse();
    const page = streams.slice(offset, offset + limit);
    return {
      logStreams: page.map((s) => this.describeStream(group, s, req)),
      nextToken: offset + limit < streams.length ? encodeToken(offset + limit) : undefined,
    };
  }

  // ---- events -------------------------------------------------------------------------

  PutLogEvents(input: PutLogEventsCommandInput, req: ServiceRequest): Output<PutLogEventsCommandOutput> {
    const group = this.requireGroup(req, groupName(input.logGroupName));
    const stream = group.streams.get(streamName(input.logStreamName));
    if (!stream) throw streamNotFound();
    const events = validateEvents(input.logEvents);

    // Events outside what Logs accepts are reported back, not stored (they are a prefix and a suffix: the batch is chronological).
    const now = this.store.now();
    const rejected: RejectedLogEventsInfo = {};
    const expiredBefore = group.expiredBefore(now);
    let first = 0;
    let end = events.length;
    while (first < end && events[first].timestamp < now - TOO_OLD_MS) rejected.tooOldLogEventEndIndex = first++;
    while (first < end && events[first].timestamp <= expiredBefore) rejected.expiredLogEventEndIndex = first++;
    while (end > first && events[end - 1].timestamp > now + TOO_NEW_MS) rejected.tooNewLogEventStartIndex = --end;

    this.store.append(req.accountId, req.region, stream, events.slice(first, end));
    return {
      nextSequenceToken: sequenceToken(stream),
      rejectedLogEventsInfo: Object.keys(rejected).length > 0 ? rejected : undefined,
    };
  }

  GetLogEvents(input: GetLogEventsCommandInput, req: ServiceRequest): Output<GetLogEventsCommandOutput> {
    const group = this.groupOf(input, req);
    const stream = group.streams.get(streamName(input.logStreamName));
    if (!stream) throw streamNotFound();
    const limit = pageLimit(input.limit, 10_000);
    const events = stream.events;

    // The window: [startTime, endTime), minus what retention has expired.
    const from = Math.max(input.startTime ?? -Infinity, group.expiredBefore(this.store.now()) + 1);
    const lo = stream.lowerBound({ timestamp: from, seq: -1 });
    const hi = input.endTime === undefined ? events.count : stream.lowerBound({ timestamp: input.endTime, seq: -1 });

    const token = input.nextToken === undefined ? undefined : decodeCursor(input.nextToken);
    const forward = token ? token.direction === 'f' : input.startFromHead === true;
    let start: number;
    let end: number;
    if (forward) {
      start = token ? Math.max(lo, stream.lowerBound(token.key)) : lo;
      end = start;
      let bytes = 0;
      while (end < hi && end - start < limit && (bytes += events.at(end).message.length + EVENT_OVERHEAD_BYTES) <= MAX_BATCH_BYTES) end++;
    } else {
      end = token ? Math.min(hi, stream.lowerBound(token.key)) : hi;
      start = end;
      let bytes = 0;
      while (start > lo && end - start < limit && (bytes += events.at(start - 1).message.length + EVENT_OVERHEAD_BYTES) <= MAX_BATCH_BYTES) start--;
    }
    const page = events.slice(start, Math.max(start, end));
    // Cursors sit between events: forward resumes after the last returned one, backward before the first.
    const startKey: EventKey = page.length > 0 ? page[0] : (token?.key ?? keyAt(events, forward ? start : end, from));
    const endKey: EventKey = page.length > 0 ? after(page[page.length - 1]) : startKey;
    return {
      events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
      nextForwardToken: encodeCursor('f', endKey),
      nextBackwardToken: encodeCursor('b', startKey),
    };
  }

  FilterLogEvents(input: FilterLogEventsCommandInput, req: ServiceRequest): Output<FilterLogEventsCommandOutput> {
    const group = this.groupOf(input, req);
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    if (input.logStreamNames !== undefined && (input.logStreamNames.length < 1 || input.logStreamNames.length > 100)) {
      throw invalidParameter('logStreamNames must name between 1 and 100 log streams.');
    }
    const limit = pageLimit(input.limit, 10_000);
    const matches = compileFilterPattern(input.filterPattern);
    const resume = input.nextToken === undefined ? undefined : decodeToken<[number, string, number]>(input.nextToken);
    if (resume !== undefined && !(Array.isArray(resume) && resume.length === 3)) throw invalidParameter('The specified nextToken is invalid.');

    const streams = [...group.streams.values()].filter((s) =>
      input.logStreamNames ? input.logStreamNames.includes(s.name) : input.logStreamNamePrefix === undefined || s.name.startsWith(input.logStreamNamePrefix),
    );
    const from = Math.max(input.startTime ?? -Infinity, group.expiredBefore(this.store.now()) + 1);
    const to = input.endTime ?? Infinity;
    const found: { stream: LogStream; event: StoredEvent }[] = [];
    for (const stream of streams) {
      // Each stream is in order, so the page is among the first limit + 1 matches of each: no need to read further.
      let matched = 0;
      const first = Math.max(stream.lowerBound({ timestamp: from, seq: -1 }), resume ? stream.lowerBound({ timestamp: resume[0], seq: -1 }) : 0);
      for (let i = first; i < stream.events.count && matched <= limit; i++) {
        const event = stream.events.at(i);
        if (event.timestamp > to) break;
        if (resume && compareFiltered([event.timestamp, stream.name, event.seq], resume) <= 0) continue;
        if (matches(event.message)) {
          found.push({ stream, event });
          matched++;
        }
      }
    }
    found.sort((a, b) => compareFiltered([a.event.timestamp, a.stream.name, a.event.seq], [b.event.timestamp, b.stream.name, b.event.seq]));
    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    return {
      events: page.map(
        ({ stream, event }): FilteredLogEvent => ({
          logStreamName: stream.name,
          timestamp: event.timestamp,
          message: event.message,
          ingestionTime: event.ingestionTime,
          eventId: eventId(stream.name, event),
        }),
      ),
      nextToken: found.length > limit ? encodeToken([last.event.timestamp, last.stream.name, last.event.seq]) : undefined,
    };
  }

  // ---- in-process writes ----------------------------------------------------------------

  /**
   * Appends events for another service (Lambda's function logs), creating the
   * group and stream when missing. No HTTP and none of PutLogEvents' batch
   * rules: events are taken in any order and placed by timestamp.
   */
  appendEvents(accountId: string, region: string, logGroupName: string, logStreamName: string, events: readonly NewEvent[]): void {
    const group = this.store.group(accountId, region, logGroupName) ?? this.store.createGroup(accountId, region, logGroupName);
    const stream = group.streams.get(logStreamName) ?? this.store.createStream(accountId, region, group, logStreamName);
    const ordered = [...events].sort((a, b) => a.timestamp - b.timestamp);
    this.store.append(accountId, region, stream, ordered);
  }

  // ---- helpers -------------------------------------------------------------------------

  private requireGroup(req: ServiceRequest, name: string): LogGroup {
    const group = this.store.group(req.accountId, req.region, name);
    if (!group) throw groupNotFound();
    return group;
  }

  /** Operations that take `logGroupName` or `logGroupIdentifier` (a name or an ARN), not both. */
  private groupOf(input: { logGroupName?: string; logGroupIdentifier?: string }, req: ServiceRequest): LogGroup {
    if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
      throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    }
    if (input.logGroupIdentifier !== undefined) return this.requireGroup(req, groupNameFromIdentifier(input.logGroupIdentifier));
    return this.requireGroup(req, groupName(input.logGroupName));
  }

  private groupForArn(req: ServiceRequest, arn: string | undefined): LogGroup {
    const match = /^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:([^:]+)(:\*)?$/.exec(arn ?? '');
    if (!match) throw invalidParameter(`Invalid resourceArn: ${arn ?? '(none)'}; expected a log group ARN.`);
    const [, region, accountId, name] = match;
    const group = region === req.region && accountId === req.accountId ? this.store.group(accountId, region, name) : undefined;
    if (!group) throw resourceNotFound(`The specified resource does not exist: ${arn}`);
    return group;
  }

  private setTags(group: LogGroup, tags: Record<string, string> | undefined, req: ServiceRequest): void {
    const merged = { ...group.tags, ...tags };
    if (Object.keys(merged).length > MAX_TAGS) throw invalidParameter(`A log group can have at most ${MAX_TAGS} tags.`);
    group.tags = merged;
    this.store.groupChanged(req.accountId, req.region);
  }

  private describeGroup(group: LogGroup, req: ServiceRequest): LogGroupShape {
    const arn = groupArn(req, group.name);
    return {
      logGroupName: group.name,
      creationTime: group.creationTime,
      retentionInDays: group.retentionInDays,
      metricFilterCount: 0,
      arn: `${arn}:*`,
      storedBytes: group.storedBytes,
      kmsKeyId: group.kmsKeyId,
      logGroupClass: group.logGroupClass,
      logGroupArn: arn,
    };
  }

  private describeStream(group: LogGroup, stream: LogStream, req: ServiceRequest): LogStreamShape {
    return {
      logStreamName: stream.name,
      creationTime: stream.creationTime,
      firstEventTimestamp: stream.firstEventTimestamp,
      lastEventTimestamp: stream.lastEventTimestamp,
      lastIngestionTime: stream.lastIngestionTime,
      uploadSequenceToken: sequenceToken(stream),
      arn: `${groupArn(req, group.name)}:log-stream:${stream.name}`,
      storedBytes: 0,
    };
  }
}

// ---- validation ---------------------------------------------------------------------------

function groupName(value: unknown): string {
  if (typeof value !== 'string' || !GROUP_NAME.test(value)) {
    throw invalidParameter(
      `1 validation error detected: Value '${String(value)}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
    );
  }
  return value;
}

function streamName(value: unknown): string {
  if (typeof value !== 'string' || !STREAM_NAME.test(value)) {
    throw invalidParameter(
      `1 validation error detected: Value '${String(value)}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`,
    );
  }
  return value;
}

/** A log group name, or its ARN (with or without the trailing `:*`). */
function groupNameFromIdentifier(identifier: string): string {
  const arn = /^arn:aws[\w-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(:\*)?$/.exec(identifier);
  return groupName(arn ? arn[1] : identifier);
}

function validateEvents(value: unknown): NewEvent[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidParameter('The parameter logEvents must contain at least one event.');
  if (value.length > MAX_EVENTS_PER_PUT) {
    throw invalidParameter(`1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to ${MAX_EVENTS_PER_PUT}`);
  }
  let bytes = 0;
  const events = value.map((raw: any, i): NewEvent => {
    if (typeof raw?.timestamp !== 'number' || !Number.isInteger(raw.timestamp) || raw.timestamp < 0) {
      throw invalidParameter(`The parameter logEvents.${i + 1}.member.timestamp must be a non-negative number of milliseconds since the epoch.`);
    }
    if (typeof raw.message !== 'string' || raw.message.length === 0) {
      throw invalidParameter(`The parameter logEvents.${i + 1}.member.message must be a non-empty string.`);
    }
    bytes += Buffer.byteLength(raw.message) + EVENT_OVERHEAD_BYTES;
    return { timestamp: raw.timestamp, message: raw.message };
  });
  if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  for (let i = 1; i < events.length; i++) {
    if (events[i].timestamp < events[i - 1].timestamp) {
      throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
    }
  }
  if (events[events.length - 1].timestamp - events[0].timestamp > DAY_MS) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
  return events;
}

function validateTags(tags: Record<string, string> | undefined): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  if (typeof tags !== 'object' || tags === null) throw invalidParameter('tags must be a map of strings.');
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw invalidParameter(`A log group can have at most ${MAX_TAGS} tags.`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128 || key.startsWith('aws:')) throw invalidParameter(`Invalid tag key: ${key}`);
    if (typeof value !== 'string' || value.length > 256) throw invalidParameter(`Invalid value for tag ${key}`);
  }
  return { ...tags };
}

function pageLimit(value: number | undefined, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw invalidParameter(`1 validation error detected: Value '${value}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`);
  }
  return value;
}

// ---- tokens, ids and ARNs ------------------------------------------------------------------

function groupArn(req: ServiceRequest, name: string): string {
  return `arn:aws:logs:${req.region}:${req.accountId}:log-group:${name}`;
}

/** PutLogEvents no longer needs sequence tokens, but still answers one (56 digits, as AWS). */
function sequenceToken(stream: LogStream): string {
  return String(stream.nextSeq).padStart(56, '0');
}

/** GetLogEvents cursors: `f/` or `b/`, then the timestamp and arrival number of the boundary. */
function encodeCursor(direction: 'f' | 'b', key: EventKey): string {
  return `${direction}/${String(Math.max(0, key.timestamp)).padStart(17, '0')}${String(Math.max(0, key.seq)).padStart(12, '0')}`;
}

function decodeCursor(token: string): { direction: 'f' | 'b'; key: EventKey } {
  const match = /^([fb])\/(\d{17})(\d{12})$/.exec(token);
  if (!match) throw invalidParameter('The specified nextToken is invalid.');
  return { direction: match[1] as 'f' | 'b', key: { timestamp: Number(match[2]), seq: Number(match[3]) } };
}

function after(key: EventKey): EventKey {
  return { timestamp: key.timestamp, seq: key.seq + 1 };
}

/** The boundary at an index of the stream (or the window start when the stream is empty there). */
function keyAt(events: { count: number; at(index: number): EventKey }, index: number, fallbackTimestamp: number): EventKey {
  if (index < events.count) return events.at(index);
  if (events.count > 0 && index > 0) return after(events.at(index - 1));
  return { timestamp: Number.isFinite(fallbackTimestamp) ? fallbackTimestamp : 0, seq: 0 };
}

function compareFiltered(a: [number, string, number], b: [number, string, number]): number {
  return a[0] - b[0] || compareText(a[1], b[1]) || a[2] - b[2];
}

/** Digits only, like AWS's: the timestamp, a hash of the stream name and the arrival number. */
function eventId(stream: string, event: { timestamp: number; seq: number }): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) hash = Math.imul(hash ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  return `${String(event.timestamp).padStart(17, '0')}${String(hash).padStart(10, '0')}${String(event.seq).padStart(12, '0')}`;
}

function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken<T>(token: string): T {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch {
    throw invalidParameter('The specified nextToken is invalid.');
  }
}
