/**
 * The state of the CloudFormation service: stacks (live and deleted), their
 * events and change sets, per account and region. Never sees HTTP. With a
 * state directory every change is written through before the call returns.
 */
import path from 'node:path';
import { JsonFiles } from './persistence.js';
import { isDeleted, isInProgress, type ChangeSetRecord, type StackEvent, type StackRecord } from './model.js';

export class StackStore {
  private readonly stacks = new Map<string, StackRecord>();
  private readonly events = new Map<string, StackEvent[]>();
  private readonly changeSets = new Map<string, ChangeSetRecord>();
  private files?: JsonFiles;

  constructor(stateDir?: string) {
    if (stateDir) {
      this.files = new JsonFiles(path.join(stateDir, 'cloudformation'));
      this.load(this.files);
    }
  }

  // --- stacks -------------------------------------------------------------

  /** A stack by name or ID. Names only find live stacks; IDs find deleted ones too, as on AWS. */
  findStack(accountId: string, region: string, nameOrId: string): StackRecord | undefined {
    if (nameOrId.startsWith('arn:')) {
      const stack = this.stacks.get(nameOrId);
      return stack && stack.accountId === accountId && stack.region === region ? stack : undefined;
    }
    for (const stack of this.stacks.values()) {
      if (stack.accountId === accountId && stack.region === region && stack.stackName === nameOrId && !isDeleted(stack)) {
        return stack;
      }
    }
    return undefined;
  }

  listStacks(accountId: string, region: string): StackRecord[] {
    return [...this.stacks.values()].filter((s) => s.accountId === accountId && s.region === region);
  }

  stackById(stackId: string): StackRecord | undefined {
    return this.stacks.get(stackId);
  }

  /** Records a new stack or the new state of one; callers mutate the record and then save it. */
  saveStack(stack: StackRecord): void {
    this.stacks.set(stack.stackId, stack);
    this.files?.write('stacks', uuidOf(stack.stackId), stack);
  }

  // --- events -------------------------------------------------------------

  addEvent(event: StackEvent): void {
    let list = this.events.get(event.StackId);
    if (!list) this.events.set(event.StackId, (list = []));
    list.push(event);
    this.files?.append('events', uuidOf(event.StackId), event);
  }

  /** Oldest first. */
  eventsOf(stackId: string): readonly StackEvent[] {
    return this.events.get(stackId) ?? [];
  }

  // --- change sets --------------------------------------------------------

  saveChangeSet(changeSet: ChangeSetRecord): void {
    this.changeSets.set(changeSet.changeSetId, changeSet);
    this.files?.write('changesets', uuidOf(changeSet.changeSetId), changeSet);
  }

  removeChangeSet(changeSetId: string): void {
    this.changeSets.delete(changeSetId);
    this.files?.remove('changesets', uuidOf(changeSetId));
  }

  changeSetsOf(stackId: string): ChangeSetRecord[] {
    return [...this.changeSets.values()].filter((c) => c.stackId === stackId);
  }

  changeSetById(changeSetId: string): ChangeSetRecord | undefined {
    return this.changeSets.get(changeSetId);
  }

  // --- exports ------------------------------------------------------------

  /** Every export of live stacks in one account and region: name -> value and exporting stack. */
  exports(accountId: string, region: string): Map<string, { value: string; stackId: string }> {
    const out = new Map<string, { value: string; stackId: string }>();
    for (const stack of this.listStacks(accountId, region)) {
      if (isDeleted(stack)) continue;
      for (const output of stack.outputs) {
        if (output.ExportName) out.set(output.ExportName, { value: output.OutputValue, stackId: stack.stackId });
      }
    }
    return out;
  }

  // --- restart ------------------------------------------------------------

  private load(files: JsonFiles): void {
    for (const stack of files.readAll<StackRecord>('stacks')) {
      this.stacks.set(stack.stackId, stack);
      this.events.set(stack.stackId, files.readLines<StackEvent>('events', uuidOf(stack.stackId)));
    }
    for (const changeSet of files.readAll<ChangeSetRecord>('changesets')) this.changeSets.set(changeSet.changeSetId, changeSet);
  }

  /**
   * Stops writing to disk (service stop). An operation still winding down
   * after this changes only memory; the files keep the state as of the stop,
   * and the next start settles what was in progress.
   */
  close(): void {
    this.files?.close();
    this.files = undefined;
  }

  /** Stacks whose operation was cut short by a stop or a crash (the engine settles them at start). */
  interrupted(): StackRecord[] {
    return [...this.stacks.values()].filter((s) => isInProgress(s.status) && s.status !== 'REVIEW_IN_PROGRESS');
  }
}

/** The UUID at the end of a stack or change set ARN: a safe, unique file name. */
function uuidOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
