import { createHash } from 'node:crypto';
import type { Owner } from '@aws-sdk/client-s3';

/** S3 names owners by a 64-hex canonical user ID; derive a stable one from the account. */
export function ownerOf(accountId: string): Owner {
  return { ID: createHash('sha256').update(`localcloud:${accountId}`).digest('hex'), DisplayName: 'localcloud' };
}
