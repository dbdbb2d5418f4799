/**
 * Follows ArchiveBucket as the archiver fills it: each poll lists the bucket
 * and reads only objects it has not seen (or that were rewritten, when a
 * retried batch lands on its key again), collecting the sequence numbers of
 * the archived records. The archive is JSON Lines, one record per line.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

export class ArchiveWatcher {
  /** Sequence numbers of every record archived so far. */
  readonly sequenceNumbers = new Set<string>();
  private readonly seen = new Map<string, string>();
  objects = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async poll(): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token }));
      const fresh = (page.Contents ?? []).filter((o) => o.Key && this.seen.get(o.Key) !== o.ETag);
      await Promise.all(fresh.map((o) => this.read(o.Key!, o.ETag ?? '')));
      token = page.NextContinuationToken;
    } while (token);
  }

  private async read(key: string, etag: string): Promise<void> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const body = (await object.Body?.transformToString('utf8')) ?? '';
    for (const line of body.split('\n')) {
      if (line === '') continue;
      const { sequenceNumber } = JSON.parse(line) as { sequenceNumber?: string };
      if (sequenceNumber) this.sequenceNumbers.add(sequenceNumber);
    }
    if (!this.seen.has(key)) this.objects += 1;
    this.seen.set(key, etag);
  }

  /** How many of `sequenceNumbers` are archived. */
  countArchived(sequenceNumbers: readonly string[]): number {
    let count = 0;
    for (const sequence of sequenceNumbers) if (this.sequenceNumbers.has(sequence)) count += 1;
    return count;
  }
}
