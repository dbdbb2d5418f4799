import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BlobNotFoundError, type PersistedState, type S3Persistence } from './persistence.js';
import type { BucketRecord, ObjectRecord, UploadRecord } from './records.js';

/**
 * Buckets and objects as files under `<stateDir>/s3/`:
 *
 *     buckets/<bucket>/bucket.json
 *     buckets/<bucket>/objects/<ab>/<sha256(key)>.json   the object's record (names its blob)
 *     buckets/<bucket>/blobs/<uuid>                      object and part bytes, never overwritten
 *     buckets/<bucket>/uploads/<uploadId>.json           multipart uploads in progress
 *
 * Object records are named by a hash of the key because keys may be 1024
 * bytes of anything, slashes and `..` included. Every file is written to a
 * temporary name and renamed into place, so a crash leaves either the old or
 * the new version; bytes no record points at are swept on the next start.
 */
export class DiskPersistence implements S3Persistence {
  private readonly root: string;

  constructor(stateDir: string) {
    this.root = path.join(stateDir, 's3', 'buckets');
  }

  async load(): Promise<PersistedState> {
    await mkdir(this.root, { recursive: true });
    const state: PersistedState = { buckets: [] };
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(this.root, entry.name);
      if (entry.name.startsWith('.')) {
        await rm(dir, { recursive: true, force: true }); // a bucket deletion interrupted by a crash
        continue;
      }
      const record = await readJson<BucketRecord>(path.join(dir, 'bucket.json'));
      if (!record) {
        await rm(dir, { recursive: true, force: true }); // a bucket creation interrupted by a crash
        continue;
      }
      const objects = (await readJsonFiles<ObjectRecord>(path.join(dir, 'objects'), true));
      const uploads = await readJsonFiles<UploadRecord>(path.join(dir, 'uploads'), false);
      const live = new Set<string>();
      for (const o of objects) live.add(o.blobRef);
      for (const u of uploads) for (const p of Object.values(u.parts)) live.add(p.blobRef);
      await this.sweepBlobs(entry.name, live);
      state.buckets.push({ record, objects, uploads });
    }
    return state;
  }

  /** Deletes blobs that no record names: leftovers of writes a crash interrupted. */
  private async sweepBlobs(bucket: string, live: Set<string>): Promise<void> {
    const dir = path.join(this.bucketDir(bucket), 'blobs');
    for (const name of await readdirOrEmpty(dir)) {
      if (!live.has(name)) await unlink(path.join(dir, name)).catch(() => undefined);
    }
  }

  async saveBucket(bucket: BucketRecord): Promise<void> {
    await writeAtomically(path.join(this.bucketDir(bucket.name), 'bucket.json'), JSON.stringify(bucket, null, 2));
  }

  async removeBucket(name: string): Promise<void> {
    // Renaming first makes the deletion atomic: a crash leaves a dot-directory load() sweeps.
    const doomed = path.join(this.root, `.deleted-${randomUUID()}`);
    await rename(this.bucketDir(name), doomed);
    await rm(doomed, { recursive: true, force: true });
  }

  async writeBlob(bucket: string, data: Buffer): Promise<string> {
    const ref = randomUUID();
    await writeAtomically(this.blobPath(bucket, ref), data);
    return ref;
  }

  async readBlob(bucket: string, ref: string, start?: number, end?: number): Promise<Buffer> {
    try {
      if (start === undefined) return await readFile(this.blobPath(bucket, ref));
      const handle = await open(this.blobPath(bucket, ref), 'r');
      try {
        const out = Buffer.alloc(Math.max(0, (end ?? start) - start));
        const { bytesRead } = await handle.read(out, 0, out.length, start);
        return out.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(ref);
      throw err;
    }
  }

  async removeBlob(bucket: string, ref: string): Promise<void> {
    await unlink(this.blobPath(bucket, ref)).catch(ignoreMissing);
  }

  async saveObject(bucket: string, record: ObjectRecord): Promise<void> {
    await writeAtomically(this.objectPath(bucket, record.key), JSON.stringify(record));
  }

  async removeObject(bucket: string, key: string): Promise<void> {
    await unlink(this.objectPath(bucket, key)).catch(ignoreMissing);
  }

  async saveUpload(upload: UploadRecord): Promise<void> {
    await writeAtomically(this.uploadPath(upload.bucket, upload.uploadId), JSON.stringify(upload));
  }

  async removeUpload(bucket: string, uploadId: string): Promise<void> {
    await unlink(this.uploadPath(bucket, uploadId)).catch(ignoreMissing);
  }

  private bucketDir(bucket: string): string {
    return path.join(this.root, bucket);
  }

  private blobPath(bucket: string, ref: string): string {
    return path.join(this.bucketDir(bucket), 'blobs', ref);
  }

  private objectPath(bucket: string, key: string): string {
    const hash = createHash('sha256').update(key).digest('hex');
    return path.join(this.bucketDir(bucket), 'objects', hash.slice(0, 2), `${hash}.json`);
  }

  private uploadPath(bucket: string, uploadId: string): string {
    return path.join(this.bucketDir(bucket), 'uploads', `${uploadId}.json`);
  }
}

async function writeAtomically(file: string, data: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Every `*.json` under dir (one level of fan-out directories when nested); removes stray temp files. */
async function readJsonFiles<T>(dir: string, nested: boolean): Promise<T[]> {
  const out: T[] = [];
  const dirs = nested ? (await readdirOrEmpty(dir)).map((d) => path.join(dir, d)) : [dir];
  for (const d of dirs) {
    for (const name of await readdirOrEmpty(d)) {
      const file = path.join(d, name);
      if (name.endsWith('.tmp')) await unlink(file).catch(() => undefined);
      else if (name.endsWith('.json')) {
        const record = await readJson<T>(file);
        if (record) out.push(record);
      }
    }
  }
  return out;
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
