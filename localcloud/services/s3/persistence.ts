import type { BucketRecord, ObjectRecord, UploadRecord } from './records.js';

/** Everything the state model needs back after a restart. */
export interface PersistedState {
  buckets: { record: BucketRecord; objects: ObjectRecord[]; uploads: UploadRecord[] }[];
}

/**
 * Where the state model keeps bytes and records. The model calls it
 * write-through, in an order that keeps a crash harmless: bytes first, then the
 * record that points at them, and only then does it drop the bytes they replace.
 */
export interface S3Persistence {
  load(): Promise<PersistedState>;
  saveBucket(bucket: BucketRecord): Promise<void>;
  removeBucket(name: string): Promise<void>;
  /** Stores bytes under a fresh reference; never overwrites existing bytes. */
  writeBlob(bucket: string, data: Buffer): Promise<string>;
  /** Bytes `start` (inclusive) to `end` (exclusive) of a blob, or all of it. */
  readBlob(bucket: string, ref: string, start?: number, end?: number): Promise<Buffer>;
  removeBlob(bucket: string, ref: string): Promise<void>;
  saveObject(bucket: string, record: ObjectRecord): Promise<void>;
  removeObject(bucket: string, key: string): Promise<void>;
  saveUpload(upload: UploadRecord): Promise<void>;
  removeUpload(bucket: string, uploadId: string): Promise<void>;
}

/** Thrown by readBlob when the bytes are gone (e.g. replaced by a concurrent write). */
export class BlobNotFoundError extends Error {}

/** In-memory cloud: records live only in the model, blobs in a map. */
export class MemoryPersistence implements S3Persistence {
  private readonly blobs = new Map<string, Buffer>();
  private nextRef = 0;

  async load(): Promise<PersistedState> {
    return { buckets: [] };
  }
  async saveBucket(): Promise<void> {}
  async removeBucket(name: string): Promise<void> {
    for (const ref of this.blobs.keys()) if (ref.startsWith(`${name}/`)) this.blobs.delete(ref);
  }
  async writeBlob(bucket: string, data: Buffer): Promise<string> {
    const ref = `${bucket}/${++this.nextRef}`;
    this.blobs.set(ref, data);
    return ref;
  }
  async readBlob(_bucket: string, ref: string, start?: number, end?: number): Promise<Buffer> {
    const data = this.blobs.get(ref);
    if (!data) throw new BlobNotFoundError(ref);
    return start === undefined ? data : data.subarray(start, end);
  }
  async removeBlob(_bucket: string, ref: string): Promise<void> {
    this.blobs.delete(ref);
  }
  async saveObject(): Promise<void> {}
  async removeObject(): Promise<void> {}
  async saveUpload(): Promise<void> {}
  async removeUpload(): Promise<void> {}
}
