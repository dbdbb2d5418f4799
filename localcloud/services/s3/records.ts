import type { Tag } from '@aws-sdk/client-s3';
import type { ObjectChecksum } from './checksums.js';

/** A bucket as the state model keeps it (and as `bucket.json` stores it). */
export interface BucketRecord {
  name: string;
  /** The account that created it; S3 bucket names are one namespace across accounts. */
  accountId: string;
  region: string;
  /** ISO-8601. */
  createdAt: string;
  /**
   * Bucket sub-resources stored as the documents the client sent, keyed by
   * sub-resource name (`policy` → JSON, `cors` → XML, ...).
   */
  configurations: Record<string, string>;
}

/** What a writer says about an object besides its bytes. */
export interface ObjectAttributes {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  /** HTTP-date, kept as sent. */
  expires?: string;
  websiteRedirectLocation?: string;
  /** User metadata, names lower-cased without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
  tags: Tag[];
  storageClass?: string;
  checksum?: ObjectChecksum;
}

export interface ObjectRecord extends ObjectAttributes {
  key: string;
  size: number;
  /** Quoted MD5 hex of the content (or `"<md5 of md5s>-<parts>"` after a multipart upload), as S3 sends it. */
  etag: string;
  /** ISO-8601, whole seconds (HTTP dates cannot say more, and conditional requests compare them). */
  lastModified: string;
  /** Where the persistence layer keeps the bytes. */
  blobRef: string;
  /** The parts of an object assembled by CompleteMultipartUpload, in order (GetObjectAttributes lists them). */
  parts?: ObjectPart[];
}

/** One part of a multipart object, as GetObjectAttributes describes it. */
export interface ObjectPart {
  partNumber: number;
  size: number;
  checksum?: ObjectChecksum;
}

/** A multipart upload in progress. */
export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: string;
  attributes: ObjectAttributes;
  /** Checksum algorithm announced at creation, which every part must then carry. */
  checksumAlgorithm?: string;
  parts: Record<number, UploadPart>;
}

export interface UploadPart {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: string;
  blobRef: string;
  checksum?: ObjectChecksum;
}
