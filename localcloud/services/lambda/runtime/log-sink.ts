import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { CloudContext } from '../../../core/types.js';
import type { LogsProvider } from '../../logs/index.js';

export interface LogEvent {
  timestamp: number;
  message: string;
}

export interface LogDestination {
  accountId: string;
  region: string;
  group: string;
  stream: string;
}

// PutLogEvents limits: 10,000 events and 1,048,576 bytes (message bytes + 26 per event) per call.
const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const MAX_MESSAGE_BYTES = 256 * 1024 - EVENT_OVERHEAD;

/**
 * Delivers function output to CloudWatch Logs: the group `/aws/lambda/<name>`
 * and one stream per environment, created on first use. Events written in the
 * same tick travel together. In-process through the Logs provider's
 * `appendEvents` when it offers it (no HTTP per batch, and it still works
 * while localcloud stops, after the gateway closed); otherwise through the
 * public API with the SDK, with at most one PutLogEvents in flight per stream
 * so events arrive in order.
 */
export class LogSink {
  private readonly streams = new Map<string, StreamWriter>();
  private readonly clients = new Map<string, CloudWatchLogsClient>();
  private readonly inProcess = new Map<string, { destination: LogDestination; events: LogEvent[] }>();
  private inProcessFlush?: NodeJS.Immediate;
  private unavailableReported = false;

  constructor(private readonly ctx: CloudContext) {}

  append(destination: LogDestination, event: LogEvent): void {
    const key = destinationKey(destination);
    if (this.logsProvider()) {
      let pending = this.inProcess.get(key);
      if (!pending) this.inProcess.set(key, (pending = { destination, events: [] }));
      pending.events.push({ timestamp: event.timestamp, message: event.message || ' ' });
      this.inProcessFlush ??= setImmediate(() => this.flushInProcess());
      return;
    }
    let writer = this.streams.get(key);
    if (!writer) {
      writer = new StreamWriter(destination, this.client(destination), (err) => this.failed(err));
      this.streams.set(key, writer);
    }
    writer.append(event);
  }

  /** Resolves once everything appended so far has been delivered (or given up on). */
  async flush(): Promise<void> {
    this.flushInProcess();
    await Promise.all([...this.streams.values()].map((w) => w.flush()));
  }

  /** Forgets writers of streams that have nothing pending (environments that are gone). */
  forget(destination: LogDestination): void {
    const key = destinationKey(destination);
    const writer = this.streams.get(key);
    if (writer) writer.flush().then(() => this.streams.delete(key));
  }

  stop(): void {
    this.flushInProcess();
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private logsProvider(): LogsProvider | undefined {
    const logs = this.ctx.service<LogsProvider>('logs');
    return logs && typeof logs.appendEvents === 'function' ? logs : undefined;
  }

  private flushInProcess(): void {
    if (this.inProcessFlush) clearImmediate(this.inProcessFlush);
    this.inProcessFlush = undefined;
    const logs = this.logsProvider();
    const batches = [...this.inProcess.values()];
    this.inProcess.clear();
    if (!logs) return;
    for (const { destination: d, events } of batches) {
      try {
        logs.appendEvents(d.accountId, d.region, d.group, d.stream, events);
      } catch (err) {
        this.failed(err);
      }
    }
  }

  private client(destination: LogDestination): CloudWatchLogsClient {
    const key = `${destination.accountId}/${destination.region}`;
    let client = this.clients.get(key);
    if (!client) {
      // Logs land in the function's account.
      const { endpoint, region, credentials } = this.ctx.clientConfig(destination.region, destination.accountId);
      client = new CloudWatchLogsClient({ endpoint, region, credentials, maxAttempts: 2 });
      this.clients.set(key, client);
    }
    return client;
  }

  private failed(err: unknown): void {
    if (this.unavailableReported) return;
    this.unavailableReported = true;
    this.ctx.log(`lambda: cannot write function logs to CloudWatch Logs (${err instanceof Error ? err.message : err}); further failures are not reported`);
  }
}

class StreamWriter {
  private pending: LogEvent[] = [];
  private running?: Promise<void>;
  private created = false;

  constructor(
    private readonly destination: LogDestination,
    private readonly client: CloudWatchLogsClient,
    private readonly onError: (err: unknown) => void,
  ) {}

  append(event: LogEvent): void {
    let message = event.message;
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) message = truncateBytes(message, MAX_MESSAGE_BYTES);
    this.pending.push({ timestamp: event.timestamp, message: message || ' ' });
    this.running ??= this.drain();
  }

  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let events written in the same tick travel together.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length > 0) {
        const batch = this.takeBatch();
        await this.put(batch);
      }
    } catch (err) {
      this.pending = [];
      this.onError(err);
    } finally {
      this.running = undefined;
    }
  }

  private takeBatch(): LogEvent[] {
    let bytes = 0;
    let count = 0;
    for (const event of this.pending) {
      const size = Buffer.byteLength(event.message) + EVENT_OVERHEAD;
      if (count >= MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      count++;
    }
    return this.pending.splice(0, Math.max(1, count));
  }

  private async put(events: LogEvent[]): Promise<void> {
    if (!this.created) await this.create();
    const command = new PutLogEventsCommand({
      logGroupName: this.destination.group,
      logStreamName: this.destination.stream,
      logEvents: events,
    });
    try {
      await this.client.send(command);
    } catch (err) {
      // Someone deleted the group or stream (`make down` deletes the functions' log groups): recreate once.
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
      await this.create();
      await this.client.send(command);
    }
  }

  private async create(): Promise<void> {
    const { group, stream } = this.destination;
    await ignoring('ResourceAlreadyExistsException', this.client.send(new CreateLogGroupCommand({ logGroupName: group })));
    await ignoring('ResourceAlreadyExistsException', this.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })));
    this.created = true;
  }
}

function destinationKey(d: LogDestination): string {
  return `${d.accountId}/${d.region}/${d.group}/${d.stream}`;
}

async function ignoring(errorName: string, call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if ((err as Error).name !== errorName) throw err;
  }
}

function truncateBytes(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text);
  return buffer.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
}
