import { randomBytes } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { Tag } from '@aws-sdk/client-s3';
import { md5, type ChecksumAlgorithm, type ObjectChecksum } from './checksums.js';
import { S3Error } from './errors.js';
import { KeyedLock } from './keyed-lock.js';
import { compareKeys } from './naming.js';
import { BlobNotFoundError, type S3Persistence } from './persistence.js';
import type { BucketRecord, ObjectAttributes, ObjectPart, ObjectRecord, UploadPart, UploadRecord } from './records.js';

/** One page of a key listing, before any wire encoding. */
export interface ListQuery {
  prefix: string;
  delimiter?: string;
  /** List only entries (keys or common prefixes) that sort after this. */
  after?: string;
  maxKeys: number;
}

export interface ListPage {
  objects: ObjectRecord[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix on this page: where the next page starts after. */
  lastEntry?: string;
}

interface BucketState {
  record: BucketRecord;
  objects: Map<string, ObjectRecord>;
  uploads: Map<string, UploadRecord>;
  /** Keys in S3 order, rebuilt lazily after a key is added or removed. */
  sortedKeys?: string[];
}

/** S3 refuses to assemble parts smaller than this, except the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

/**
 * The S3 state model: buckets, objects, multipart uploads. It knows nothing
 * of HTTP; it throws S3's errors and writes through to its persistence.
 */
export class S3Store {
  private readonly buckets = new Map<string, BucketState>();
  private readonly locks = new KeyedLock();

  private constructor(private readonly persistence: S3Persistence) {}

  static async open(persistence: S3Persistence): Promise<S3Store> {
    const store = new S3Store(persistence);
    for (const { record, objects, uploads } of (await persistence.load()).buckets) {
      store.buckets.set(record.name, {
        record,
        objects: new Map(objects.map((o) => [o.key, o])),
        uploads: new Map(uploads.map((u) => [u.uploadId, u])),
      });
    }
    return store;
  }

  // ---- buckets --------------------------------------------------------------------------

  async createBucket(name: string, accountId: string, region: string): Promise<BucketRecord> {
    return this.locks.run(`bucket:${name}`, async () => {
      const existing = this.buckets.get(name);
      if (existing) {
        throw existing.record.accountId === accountId ? S3Error.bucketAlreadyOwnedByYou(name) : S3Error.bucketAlreadyExists(name);
      }
      const record: BucketRecord = { name, accountId, region, createdAt: wholeSeconds(new Date()), configurations: {} };
      await this.persistence.saveBucket(record);
      this.buckets.set(name, { record, objects: new Map(), uploads: new Map() });
      return record;
    });
  }

  findBucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name)?.record;
  }

  getBucket(name: string): BucketRecord {
    return this.state(name).record;
  }

  /** Buckets of one account, by name. */
  listBuckets(accountId: string): BucketRecord[] {
    return [...this.buckets.values()]
      .map((b) => b.record)
      .filter((b) => b.accountId === accountId)
      .sort((a, b) => compareKeys(a.name, b.name));
  }

  async deleteBucket(name: string): Promise<void> {
    await this.locks.run(`bucket:${name}`, async () => {
      const bucket = this.state(name);
      if (bucket.objects.size > 0) throw S3Error.bucketNotEmpty(name);
      await this.persistence.removeBucket(name);
      this.buckets.delete(name);
    });
  }

  /** Stores (or, with `undefined`, removes) a bucket sub-resource document such as `policy` or `cors`. */
  async setBucketConfiguration(name: string, subresource: string, document: string | undefined): Promise<void> {
    await this.locks.run(`bucket:${name}`, async () => {
      const { record } = this.state(name);
      const configurations = { ...record.configurations };
      if (document === undefined) delete configurations[subresource];
      else configurations[subresource] = document;
      const updated = { ...record, configurations };
      await this.persistence.saveBucket(updated);
      this.state(name).record = updated;
    });
  }

  // ---- objects --------------------------------------------------------------------------

  findObject(bucket: string, key: string): ObjectRecord | undefined {
    return this.state(bucket).objects.get(key);
  }

  getObject(bucket: string, key: string): ObjectRecord {
    const record = this.findObject(bucket, key);
    if (!record) throw S3Error.noSuchKey(key);
    return record;
  }

  /**
   * Writes an object. `precondition` runs under the key's lock with the
   * current version, so conditional writes (`If-None-Match: *`) cannot race.
   */
  async putObject(
    bucket: string,
    key: string,
    data: Buffer,
    attributes: ObjectAttributes,
    precondition?: (current: ObjectRecord | undefined) => void,
  ): Promise<ObjectRecord> {
    return this.writeObject(bucket, key, data, `"${md5(data).toString('hex')}"`, attributes, precondition);
  }

  /** The object's bytes (or a `[start, end)` slice of them) with the record they belong to. */
  async readObject(bucket: string, key: string, range?: { start: number; end: number }): Promise<{ record: ObjectRecord; data: Buffer }> {
    // A concurrent overwrite may remove the bytes between lookup and read; the retry sees the new version.
    for (let attempt = 0; ; attempt++) {
      const record = this.getObject(bucket, key);
      try {
        return { record, data: await this.persistence.readBlob(bucket, record.blobRef, range?.start, range?.end) };
      } catch (err) {
        if (!(err instanceof BlobNotFoundError) || attempt >= 2) throw err;
      }
    }
  }

  /** Deleting a key that does not exist succeeds, as in S3. */
  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.locks.run(`object:${bucket}/${key}`, async () => {
      const state = this.state(bucket);
      const current = state.objects.get(key);
      if (!current) return;
      await this.persistence.removeObject(bucket, key);
      state.objects.delete(key);
      state.sortedKeys = undefined;
      await this.persistence.removeBlob(bucket, current.blobRef);
    });
  }

  async setObjectTags(bucket: string, key: string, tags: Tag[]): Promise<ObjectRecord> {
    return this.locks.run(`object:${bucket}/${key}`, async () => {
      const updated = { ...this.getObject(bucket, key), tags };
      await this.persistence.saveObject(bucket, updated);
      this.state(bucket).objects.set(key, updated);
      return updated;
    });
  }

  listObjects(bucket: string, query: ListQuery): ListPage {
    const keys = this.sortedKeys(bucket);
    const objects = this.state(bucket).objects;
    const { prefix, delimiter, after, maxKeys } = query;
    const page: ListPage = { objects: [], commonPrefixes: [], isTruncated: false };
    let i = lowerBound(keys, prefix);
    if (after !== undefined && after !== '') i = Math.max(i, upperBound(keys, after));
    for (; i < keys.length; i++) {
      const key = keys[i];
      if (!key.startsWith(prefix)) break; // keys sharing the prefix are contiguous
      let entry = key;
      let isPrefix = false;
      if (delimiter) {
        const at = key.indexOf(delimiter, prefix.length);
        if (at >= 0) {
          entry = key.slice(0, at + delimiter.length);
          isPrefix = true;
          // A common prefix at or before the marker was returned on an earlier page.
          if (entry === page.lastEntry || (after !== undefined && compareKeys(entry, after) <= 0)) continue;
        }
      }
      if (page.objects.length + page.commonPrefixes.length >= maxKeys) {
        page.isTruncated = true;
        break;
      }
      if (isPrefix) page.commonPrefixes.push(entry);
      else page.objects.push(objects.get(key)!);
      page.lastEntry = entry;
    }
    return page;
  }

  // ---- multipart uploads ----------------------------------------------------------------

  async createUpload(bucket: string, key: string, attributes: ObjectAttributes, checksumAlgorithm?: ChecksumAlgorithm): Promise<UploadRecord> {
    const state = this.state(bucket);
    const upload: UploadRecord = {
      uploadId: randomBytes(24).toString('base64url'),
      bucket,
      key,
      initiated: wholeSeconds(new Date()),
      attributes,
      checksumAlgorithm,
      parts: {},
    };
    await this.persistence.saveUpload(upload);
    state.uploads.set(upload.uploadId, upload);
    return upload;
  }

  getUpload(bucket: string, uploadId: string, key?: string): UploadRecord {
    const upload = this.state(bucket).uploads.get(uploadId);
    if (!upload || (key !== undefined && upload.key !== key)) throw S3Error.noSuchUpload(uploadId);
    return upload;
  }

  listUploads(bucket: string): UploadRecord[] {
    return [...this.state(bucket).uploads.values()].sort((a, b) => compareKeys(a.key, b.key) || a.initiated.localeCompare(b.initiated));
  }

  async putPart(bucket: string, uploadId: string, key: string, partNumber: number, data: Buffer, checksum?: ObjectChecksum): Promise<UploadPart> {
    return this.locks.run(`upload:${uploadId}`, async () => {
      const upload = this.getUpload(bucket, uploadId, key);
      const blobRef = await this.persistence.writeBlob(bucket, data);
      const part: UploadPart = { partNumber, size: data.length, etag: `"${md5(data).toString('hex')}"`, lastModified: wholeSeconds(new Date()), blobRef, checksum };
      const replaced = upload.parts[partNumber];
      const updated = { ...upload, parts: { ...upload.parts, [partNumber]: part } };
      await this.persistence.saveUpload(updated);
      this.state(bucket).uploads.set(uploadId, updated);
      if (replaced) await this.persistence.removeBlob(bucket, replaced.blobRef);
      return part;
    });
  }

  /** Assembles the listed parts into the object; S3's rules on order, ETags and part sizes apply. */
  async completeUpload(bucket: string, uploadId: string, key: string, parts: { partNumber: number; etag: string }[]): Promise<ObjectRecord> {
    return this.locks.run(`upload:${uploadId}`, async () => {
      const upload = this.getUpload(bucket, uploadId, key);
      if (parts.length === 0) throw S3Error.malformedXml();
      const chosen: UploadPart[] = [];
      for (const [index, requested] of parts.entries()) {
        if (index > 0 && requested.partNumber <= parts[index - 1].partNumber) {
          throw new AwsError('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', 400);
        }
        const part = upload.parts[requested.partNumber];
        if (!part || normalizeEtag(part.etag) !== normalizeEtag(requested.etag)) {
          throw new AwsError('InvalidPart', 'One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', 400, {
            UploadId: uploadId,
            PartNumber: String(requested.partNumber),
            ETag: requested.etag,
          });
        }
        if (index < parts.length - 1 && part.size < MIN_PART_SIZE) {
          throw new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400, {
            ProposedSize: String(part.size),
            MinSizeAllowed: String(MIN_PART_SIZE),
            PartNumber: String(part.partNumber),
            ETag: part.etag,
          });
        }
        chosen.push(part);
      }
      const data = Buffer.concat(await Promise.all(chosen.map((p) => this.persistence.readBlob(bucket, p.blobRef))));
      const digests = Buffer.concat(chosen.map((p) => Buffer.from(normalizeEtag(p.etag), 'hex')));
      const etag = `"${md5(digests).toString('hex')}-${chosen.length}"`;
      const objectParts = chosen.map(({ partNumber, size, checksum }) => (checksum ? { partNumber, size, checksum } : { partNumber, size }));
      const record = await this.writeObject(bucket, key, data, etag, upload.attributes, undefined, objectParts);
      await this.dropUpload(bucket, upload);
      return record;
    });
  }

  async abortUpload(bucket: string, uploadId: string, key: string): Promise<void> {
    await this.locks.run(`upload:${uploadId}`, async () => this.dropUpload(bucket, this.getUpload(bucket, uploadId, key)));
  }

  private async dropUpload(bucket: string, upload: UploadRecord): Promise<void> {
    await this.persistence.removeUpload(bucket, upload.uploadId);
    this.state(bucket).uploads.delete(upload.uploadId);
    for (const part of Object.values(upload.parts)) await this.persistence.removeBlob(bucket, part.blobRef);
  }

  // ---- internals --------------------------------------------------------------------------

  private state(bucket: string): BucketState {
    const state = this.buckets.get(bucket);
    if (!state) throw S3Error.noSuchBucket(bucket);
    return state;
  }

  private async writeObject(
    bucket: string,
    key: string,
    data: Buffer,
    etag: string,
    attributes: ObjectAttributes,
    precondition?: (current: ObjectRecord | undefined) => void,
    parts?: ObjectPart[],
  ): Promise<ObjectRecord> {
    return this.locks.run(`object:${bucket}/${key}`, async () => {
      precondition?.(this.state(bucket).objects.get(key));
      const blobRef = await this.persistence.writeBlob(bucket, data);
      const record: ObjectRecord = { ...attributes, key, size: data.length, etag, lastModified: wholeSeconds(new Date()), blobRef, ...(parts ? { parts } : {}) };
      await this.persistence.saveObject(bucket, record);
      const state = this.state(bucket); // the bucket may have gone while the bytes were written
      const replaced = state.objects.get(key);
      state.objects.set(key, record);
      if (!replaced) state.sortedKeys = undefined;
      else await this.persistence.removeBlob(bucket, replaced.blobRef);
      return record;
    });
  }

  private sortedKeys(bucket: string): string[] {
    const state = this.state(bucket);
    state.sortedKeys ??= [...state.objects.keys()].sort(compareKeys);
    return state.sortedKeys;
  }
}

function wholeSeconds(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
}

function normalizeEtag(etag: string): string {
  return etag.replace(/^"|"$/g, '').toLowerCase();
}

/** First index whose key sorts at or after `target`. */
function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid], target) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key sorts strictly after `target`. */
function upperBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid], target) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
