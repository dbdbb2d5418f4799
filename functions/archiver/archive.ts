/**
 * The S3 archive of a Kinesis batch: where it goes and what it holds.
 *
 * Key: `YYYY/MM/DD/HH/<sequence number>.jsonl`, from the first record's arrival
 * time (UTC) and sequence number. Both come from the batch itself, so a batch
 * that Lambda delivers again lands on the same key and overwrites the earlier
 * attempt — the original used the invocation's clock and could write a
 * retried batch twice under two dates.
 *
 * Body: JSON Lines, one line per record in stream order, with the raw bytes
 * (base64, exact even when they are not text) and their UTF-8 reading when
 * they are valid UTF-8. Each line carries the sequence number and partition
 * key, so "every record exactly once across the archive" can be checked.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { recordPayload } from '../shared/kinesis-record.js';

export const ARCHIVE_CONTENT_TYPE = 'application/x-ndjson';

export interface ArchiveLine {
  sequenceNumber: string;
  partitionKey: string;
  /** Seconds since the epoch, as Kinesis stamped the record. */
  approximateArrivalTimestamp: number;
  /** The record's bytes, base64 — exactly what the producer put. */
  data: string;
  /** The same bytes as text, present only when they are valid UTF-8. */
  text?: string;
}

export interface ArchiveObject {
  key: string;
  body: Buffer;
  contentType: string;
}

export function archiveObject(records: readonly KinesisStreamRecord[]): ArchiveObject {
  return { key: archiveKey(records), body: archiveBody(records), contentType: ARCHIVE_CONTENT_TYPE };
}

export function archiveKey(records: readonly KinesisStreamRecord[]): string {
  const first = records[0];
  if (!first) throw new RangeError('an empty batch has no archive key');
  return `${datePath(first.kinesis.approximateArrivalTimestamp)}${safeKeyPart(first.kinesis.sequenceNumber)}.jsonl`;
}

/** `YYYY/MM/DD/HH/` in UTC: a prefix per hour, easy to list and to partition on. */
export function datePath(arrivalSeconds: number): string {
  const time = new Date(arrivalSeconds * 1000);
  if (!Number.isFinite(arrivalSeconds) || Number.isNaN(time.getTime())) return 'undated/';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(time.getUTCFullYear()).padStart(4, '0')}/${pad(time.getUTCMonth() + 1)}/${pad(time.getUTCDate())}/${pad(time.getUTCHours())}/`;
}

// Sequence numbers are decimal digits; anything else is kept out of the key
// rather than trusted to be a safe S3 key character.
function safeKeyPart(text: string): string {
  return text.replace(/[^0-9A-Za-z._-]/g, '_');
}

export function archiveBody(records: readonly KinesisStreamRecord[]): Buffer {
  return Buffer.from(records.map((record) => `${JSON.stringify(archiveLine(record))}\n`).join(''), 'utf8');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function archiveLine(record: KinesisStreamRecord): ArchiveLine {
  const bytes = recordPayload(record);
  const line: ArchiveLine = {
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
    approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
    // Re-encoded rather than copied, so the line holds canonical base64 of the
    // bytes Lambda delivered.
    data: bytes.toString('base64'),
  };
  try {
    line.text = utf8.decode(bytes);
  } catch {
    // Not text: `data` alone carries the record.
  }
  return line;
}

/** Reads an archive body back into its lines (for tests and tools). */
export function parseArchiveBody(body: string): ArchiveLine[] {
  return body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ArchiveLine);
}
