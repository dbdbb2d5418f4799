/**
 * Puts records on a stream as fast as it takes them: PutRecords calls of up
 * to 500 (the API's limit), several in flight. Entries the stream refuses
 * (FailedRecordCount, e.g. throttling) are sent again, so every record lands
 * exactly once or the load fails loudly.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

export const MAX_RECORDS_PER_CALL = 500;
const MAX_ATTEMPTS = 8;

export interface LoadOptions {
  concurrency: number;
  batchSize?: number;
  onProgress?: (accepted: number) => void;
}

export interface LoadResult {
  /** Sequence number of each entry, by index. */
  sequenceNumbers: string[];
  /** When each entry's PutRecords answer arrived (performance.now()). */
  ackedAt: Float64Array;
  /** Entries sent more than once because the stream refused them at first. */
  retried: number;
  calls: number;
}

export async function putAll(
  kinesis: KinesisClient,
  streamName: string,
  entries: readonly PutRecordsRequestEntry[],
  options: LoadOptions,
): Promise<LoadResult> {
  const batchSize = Math.min(options.batchSize ?? MAX_RECORDS_PER_CALL, MAX_RECORDS_PER_CALL);
  const result: LoadResult = {
    sequenceNumbers: new Array<string>(entries.length),
    ackedAt: new Float64Array(entries.length),
    retried: 0,
    calls: 0,
  };
  let accepted = 0;
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const start = next;
      next = Math.min(entries.length, next + batchSize);
      const indexes = Array.from({ length: next - start }, (_, k) => start + k);
      accepted += await putBatch(kinesis, streamName, entries, indexes, result);
      options.onProgress?.(accepted);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return result;
}

/** One batch, retrying refused entries; answers how many were accepted. */
export async function putBatch(
  kinesis: KinesisClient,
  streamName: string,
  entries: readonly PutRecordsRequestEntry[],
  indexes: number[],
  result: LoadResult,
): Promise<number> {
  let pending = indexes;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) throw new Error(`${pending.length} records refused by ${streamName} ${MAX_ATTEMPTS} times`);
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    result.calls += 1;
    const output = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: pending.map((i) => entries[i]!) }));
    const ackedAt = performance.now();
    const records = output.Records ?? [];
    if (records.length !== pending.length) {
      throw new Error(`PutRecords answered ${records.length} results for ${pending.length} records`);
    }
    const refused: number[] = [];
    records.forEach((record, k) => {
      const index = pending[k]!;
      if (record.SequenceNumber && !record.ErrorCode) {
        result.sequenceNumbers[index] = record.SequenceNumber;
        result.ackedAt[index] = ackedAt;
      } else {
        refused.push(index);
      }
    });
    if (refused.length > 0) result.retried += refused.length;
    pending = refused;
  }
  return indexes.length;
}

/** Kinesis sequence numbers are decimal strings of up to 128 bits: compare them as integers. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
