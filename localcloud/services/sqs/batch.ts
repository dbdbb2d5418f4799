import { AwsError, toAwsError } from '../../core/errors.js';

export const MAX_BATCH_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * The entries of a batch request, checked as SQS checks them before any
 * entry runs: at least one, at most ten, each Id well-formed and distinct.
 * `run` then applies an operation to each entry; one entry's failure is its
 * own `Failed` row and does not stop the others.
 */
export class BatchEntries<T extends { Id?: string }> {
  readonly items: T[];

  constructor(entryName: string, entries: T[] | undefined) {
    const items = Array.isArray(entries) ? entries : [];
    if (items.length === 0) {
      throw new AwsError('AWS.SimpleQueueService.EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
    }
    if (items.length > MAX_BATCH_ENTRIES) {
      throw new AwsError(
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${items.length}.`,
      );
    }
    const seen = new Set<string>();
    for (const entry of items) {
      const id = entry?.Id;
      if (typeof id !== 'string' || !ENTRY_ID.test(id)) {
        throw new AwsError(
          'AWS.SimpleQueueService.InvalidBatchEntryId',
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        );
      }
      if (seen.has(id)) throw new AwsError('AWS.SimpleQueueService.BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
      seen.add(id);
    }
    this.items = items;
  }

  run<R extends object>(operation: (entry: T) => R): { Successful: (R & { Id: string })[]; Failed: BatchFailure[] } {
    const Successful: (R & { Id: string })[] = [];
    const Failed: BatchFailure[] = [];
    for (const entry of this.items) {
      try {
        Successful.push({ Id: entry.Id!, ...operation(entry) });
      } catch (err) {
        const error = toAwsError(err);
        Failed.push({ Id: entry.Id!, SenderFault: error.fault === 'Sender', Code: error.code, Message: error.message });
      }
    }
    return { Successful, Failed };
  }
}

export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}
