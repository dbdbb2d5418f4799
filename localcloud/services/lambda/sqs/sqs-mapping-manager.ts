import type { Principal } from '../../../auth/types.js';
import type { CloudContext } from '../../../core/types.js';
import { parseQueueArn } from '../../sqs/queue-url.js';
import type { WireMessage } from '../../sqs/receive.js';
import type { EventSourceMapping, MappingStore } from '../model/event-source-mappings.js';
import { QueuePoller } from './queue-poller.js';
import type { SqsBatchOutcome } from './sqs-event.js';

export const isSqsMapping = (mapping: Pick<EventSourceMapping, 'eventSourceArn'>): boolean => parseQueueArn(mapping.eventSourceArn) !== undefined;

/**
 * Runs the SQS event source mappings, next to the Kinesis ones: a poller per
 * mapping (on creation and on restart), and Lambda's state transitions
 * (Creating → Enabled, Updating → Enabled/Disabled, Deleting → gone).
 */
export class SqsMappingManager {
  private readonly pollers = new Map<string, QueuePoller>();

  constructor(
    private readonly ctx: CloudContext,
    private readonly store: MappingStore,
    private readonly invoke: (mapping: EventSourceMapping, messages: WireMessage[]) => Promise<SqsBatchOutcome>,
    /** Who a mapping polls its queue as: its function's execution role. */
    readonly roleOf: (functionArn: string) => Principal | undefined,
  ) {}

  start(): void {
    for (const mapping of this.store.all()) {
      if (!isSqsMapping(mapping)) continue;
      if (mapping.state === 'Deleting') this.store.delete(mapping.uuid);
      else this.run(mapping);
    }
  }

  async stop(): Promise<void> {
    const pollers = [...this.pollers.values()];
    this.pollers.clear();
    await Promise.all(pollers.map((p) => p.stop()));
  }

  created(mapping: EventSourceMapping): void {
    this.run(mapping);
  }

  updated(mapping: EventSourceMapping): void {
    this.pollers.get(mapping.uuid)?.wake();
    setImmediate(() => this.settle(mapping.uuid));
  }

  async deleted(uuid: string): Promise<void> {
    const poller = this.pollers.get(uuid);
    this.pollers.delete(uuid);
    try {
      await poller?.stop();
    } finally {
      this.store.delete(uuid);
    }
  }

  private run(mapping: EventSourceMapping): void {
    const uuid = mapping.uuid;
    const poller = new QueuePoller({
      ctx: this.ctx,
      mapping: () => this.store.get(uuid),
      principal: () => this.roleOf((this.store.get(uuid) ?? mapping).functionArn),
      invoke: (current, messages) => this.invokeAndRecord(current, messages),
      log: (message) => this.ctx.log(`lambda: event source mapping ${uuid}: ${message}`),
    });
    this.pollers.set(uuid, poller);
    poller.start();
    setImmediate(() => this.settle(uuid));
  }

  private async invokeAndRecord(mapping: EventSourceMapping, messages: WireMessage[]): Promise<SqsBatchOutcome> {
    let outcome: SqsBatchOutcome;
    try {
      outcome = await this.invoke(mapping, messages);
    } catch (err) {
      outcome = { ok: false, reason: (err as Error).message };
    }
    const current = this.store.get(mapping.uuid);
    if (current) current.lastProcessingResult = outcome.ok ? 'OK' : 'PROBLEM: Function call failed';
    return outcome;
  }

  /** Transitional states end once the poller is in place. Runs from timers: never throws. */
  private settle(uuid: string): void {
    const mapping = this.store.get(uuid);
    if (!mapping || mapping.state === 'Deleting' || !this.pollers.has(uuid)) return;
    const state = mapping.enabled ? 'Enabled' : 'Disabled';
    if (mapping.state === state) return;
    try {
      this.store.save({ ...mapping, state });
    } catch (err) {
      this.ctx.log(`lambda: event source mapping ${uuid}: cannot record state ${state}: ${err instanceof Error ? err.message : err}`);
    }
  }
}
