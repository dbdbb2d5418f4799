import type { KinesisStreamRecord } from 'aws-lambda';
import { expect } from 'chai';
import {
  ARCHIVE_CONTENT_TYPE,
  archiveKey,
  archiveObject,
  datePath,
  parseArchiveBody,
} from '../../../functions/archiver/archive.js';
import { kinesisEvent, kinesisRecord, reading, sequenceNumber } from '../fixtures/kinesis.js';

describe('S3 archive of a batch', () => {
  it('key: UTC date path of the first record\'s arrival + its sequence number', () => {
    const event = kinesisEvent([reading('a', 1), reading('b', 2)], 7, Date.UTC(2024, 4, 1, 9, 59, 59, 900) / 1000);
    expect(archiveKey(event.Records)).to.equal(`2024/05/01/09/${sequenceNumber(7)}.jsonl`);
  });

  it('the key does not depend on the clock: the same batch later gets the same key', async () => {
    const event = kinesisEvent([reading('a', 1)]);
    const first = archiveKey(event.Records);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(archiveKey(structuredClone(event).Records)).to.equal(first);
  });

  it('date paths pad every field', () => {
    expect(datePath(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000)).to.equal('2024/01/02/03/');
    expect(datePath(Number.NaN)).to.equal('undated/');
  });

  it('an empty batch has no key', () => {
    expect(() => archiveKey([])).to.throw(RangeError);
  });

  it('body: one JSON line per record, in order, with sequence number, partition key and the raw bytes', () => {
    const raw = [reading('Küche', 21.5), 'not json', Buffer.from([0x00, 0xff, 0x10])];
    const event = kinesisEvent(raw);
    const object = archiveObject(event.Records);
    expect(object.contentType).to.equal(ARCHIVE_CONTENT_TYPE);
    const text = object.body.toString('utf8');
    expect(text.endsWith('\n')).to.equal(true);
    const lines = parseArchiveBody(text);
    expect(lines.map((l) => l.sequenceNumber)).to.deep.equal(event.Records.map((r) => r.kinesis.sequenceNumber));
    expect(lines.map((l) => l.partitionKey)).to.deep.equal(['Küche', 'partition-1', 'partition-1']);
    expect(lines.map((l) => Buffer.from(l.data, 'base64'))).to.deep.equal(
      event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64')),
    );
    expect(lines[0]!.text).to.equal(JSON.stringify(reading('Küche', 21.5)));
    expect(lines[1]!.text).to.equal('not json');
    expect(lines[2]).to.not.have.property('text'); // not UTF-8: the bytes are in `data` only
    expect(lines[0]!.approximateArrivalTimestamp).to.equal(event.Records[0]!.kinesis.approximateArrivalTimestamp);
  });

  it('a payload with a newline stays on one line', () => {
    const lines = archiveObject([kinesisRecord('line one\nline two')]).body.toString('utf8').split('\n');
    expect(lines.filter(Boolean)).to.have.length(1);
  });

  it('every record exactly once across the archive, when batches are delivered again (same, longer or shorter)', () => {
    const stream = Array.from({ length: 40 }, (_, i) =>
      kinesisRecord(reading(`s-${i % 3}`, i), { sequenceNumber: sequenceNumber(i), arrival: 1_714_567_890 + i }),
    );
    const bucket = new Map<string, Buffer>();
    const deliver = (records: KinesisStreamRecord[]) => {
      const object = archiveObject(records);
      bucket.set(object.key, object.body); // PutObject overwrites
    };
    // Lambda delivers 0-9, fails, and retries with more records available;
    // then 15-24 fails and is retried with fewer (a smaller batch window);
    // 25-39 arrives twice, identically.
    deliver(stream.slice(0, 10));
    deliver(stream.slice(0, 15));
    deliver(stream.slice(15, 25));
    deliver(stream.slice(15, 20));
    deliver(stream.slice(20, 25));
    deliver(stream.slice(25, 40));
    deliver(stream.slice(25, 40));

    const archived = [...bucket.values()].flatMap((body) => parseArchiveBody(body.toString('utf8')));
    const sequenceNumbers = archived.map((line) => line.sequenceNumber);
    expect(sequenceNumbers).to.have.length(stream.length);
    expect(new Set(sequenceNumbers).size).to.equal(stream.length);
    expect([...sequenceNumbers].sort()).to.deep.equal(stream.map((r) => r.kinesis.sequenceNumber).sort());
  });
});
