/**
 * Live progress of a stack operation: polls DescribeStackEvents for the stack
 * and every nested stack it starts, and hands over each new event once, oldest
 * first. "New" is judged on the server's clock (events after a baseline taken
 * before the operation), so a skewed local clock neither hides nor repeats any.
 */
import { DescribeStackEventsCommand, type CloudFormationClient, type StackEvent } from '@aws-sdk/client-cloudformation';
import type { Paint } from '../support/terminal.js';

export interface WatchedEvent extends StackEvent {
  /** Logical ID, prefixed by the nested stack's logical ID(s): `ConfigHelperStack/AddConfigSetting`. */
  path: string;
  /** True for the events of a nested stack's resources. */
  nested: boolean;
}

interface WatchedStack {
  stackId: string;
  prefix: string;
  /** Events at or before this are history. */
  since: Date;
  /** IDs of history events that share the baseline's timestamp. */
  seen: Set<string>;
}

export class StackEventWatcher {
  private readonly stacks: WatchedStack[] = [];
  readonly events: WatchedEvent[] = [];

  private constructor(
    private readonly cfn: CloudFormationClient,
    private readonly onEvent: (event: WatchedEvent) => void,
  ) {}

  /** Starts watching after the stack's current newest event. */
  static async start(cfn: CloudFormationClient, stackId: string, onEvent: (event: WatchedEvent) => void): Promise<StackEventWatcher> {
    const watcher = new StackEventWatcher(cfn, onEvent);
    const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackId }));
    const newest = StackEvents.reduce<Date | undefined>((max, e) => (e.Timestamp && (!max || e.Timestamp > max) ? e.Timestamp : max), undefined);
    const since = newest ?? new Date(0);
    watcher.stacks.push({
      stackId,
      prefix: '',
      since,
      seen: new Set(StackEvents.filter((e) => e.Timestamp && e.Timestamp >= since).map((e) => e.EventId ?? '')),
    });
    return watcher;
  }

  /** Fetches what is new on every watched stack and emits it, all stacks merged in time order. */
  async poll(): Promise<void> {
    const fresh: WatchedEvent[] = [];
    // Nested stacks found during this poll are polled in the same round.
    for (let i = 0; i < this.stacks.length; i++) {
      const stack = this.stacks[i]!;
      for (const event of await this.newEvents(stack)) {
        this.discoverNested(stack, event);
        // A nested stack's events about itself repeat what the parent reports for its resource.
        if (stack.prefix !== '' && event.PhysicalResourceId === stack.stackId) continue;
        fresh.push({ ...event, path: `${stack.prefix}${event.LogicalResourceId ?? '?'}`, nested: stack.prefix !== '' });
      }
    }
    // Stable: events of one millisecond keep the order their stacks reported them in.
    fresh.sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
    for (const event of fresh) {
      this.events.push(event);
      this.onEvent(event);
    }
  }

  private async newEvents(stack: WatchedStack): Promise<StackEvent[]> {
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    pages: do {
      let page;
      try {
        page = await this.cfn.send(new DescribeStackEventsCommand({ StackName: stack.stackId, NextToken: token }));
      } catch (error) {
        // AWS keeps a deleted stack's events under its id; other clouds may forget the stack at once.
        if (/does not exist/i.test(error instanceof Error ? error.message : String(error))) break;
        throw error;
      }
      for (const event of page.StackEvents ?? []) {
        const id = event.EventId ?? '';
        if (!event.Timestamp || event.Timestamp < stack.since) break pages; // newest first: the rest is history
        if (stack.seen.has(id)) continue;
        stack.seen.add(id);
        fresh.push(event);
      }
      token = page.NextToken;
    } while (token);
    return fresh.sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
  }

  private discoverNested(parent: WatchedStack, event: StackEvent): void {
    const id = event.PhysicalResourceId;
    if (event.ResourceType !== 'AWS::CloudFormation::Stack' || !id?.startsWith('arn:') || id === parent.stackId) return;
    if (this.stacks.some((s) => s.stackId === id)) return;
    // The nested stack's history before this operation started is not news either.
    this.stacks.push({ stackId: id, prefix: `${parent.prefix}${event.LogicalResourceId}/`, since: parent.since, seen: new Set() });
  }
}

/** `12:03:04  ConfigHelperStack/AddConfigSetting  AWS::Lambda::Function  CREATE_COMPLETE  reason` */
export function formatEvent(event: WatchedEvent, paint: Paint): string {
  const time = event.Timestamp ? event.Timestamp.toISOString().slice(11, 19) : '--:--:--';
  const status = event.ResourceStatus ?? '';
  const colour = status.endsWith('FAILED') ? 'red' : status.includes('ROLLBACK') ? 'yellow' : status.endsWith('COMPLETE') ? 'green' : 'grey';
  const reason = event.ResourceStatusReason ? ` ${paint('dim', event.ResourceStatusReason)}` : '';
  const statusColumn = reason ? status.padEnd(20) : status;
  return `  ${paint('grey', time)}  ${event.path.padEnd(40)} ${(event.ResourceType ?? '').padEnd(34)} ${paint(colour, statusColumn)}${reason}`;
}

/**
 * The event that explains a failed operation: the earliest resource failure,
 * nested ones included, ignoring the "Resource creation cancelled" echoes of
 * resources CloudFormation stopped because of it.
 */
export function rootCause(events: readonly WatchedEvent[]): WatchedEvent | undefined {
  const failures = events.filter((e) => e.ResourceStatus?.endsWith('_FAILED'));
  const real = failures.filter((e) => !/cancell?ed/i.test(e.ResourceStatusReason ?? ''));
  const ordered = (list: WatchedEvent[]) => [...list].sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
  // Prefer the innermost failure: a nested stack's CREATE_FAILED only repeats its resource's reason.
  const inner = real.filter((e) => e.ResourceType !== 'AWS::CloudFormation::Stack');
  return ordered(inner)[0] ?? ordered(real)[0] ?? ordered(failures)[0];
}
