import { createHmac } from 'node:crypto';
import { AuthFailure } from './failure.js';
import { sign, signaturesMatch, signingKey } from './signing-key.js';

/**
 * The signature of an S3 browser-upload form (presigned POST): what is signed
 * is not the request but the form's base64 POST policy, as
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html and
 * the legacy SigV2 form (`AWSAccessKeyId` + `signature`) describe.
 */
export type PostPolicySignature =
  | {
      version: 4;
      accessKeyId: string;
      /** The credential scope: `yyyymmdd`, region, service (`s3`). */
      date: string;
      region: string;
      service: string;
      /** Hex HMAC-SHA256 of the policy with the scope's signing key. */
      signature: string;
    }
  | { version: 2; accessKeyId: string; /** Base64 HMAC-SHA1 of the policy with the secret. */ signature: string };

/** Throws SignatureDoesNotMatch (with the policy as the string to sign) unless `secretAccessKey` signed `policy`. */
export function verifyPostPolicySignature(policy: string, claim: PostPolicySignature, secretAccessKey: string): void {
  const expected =
    claim.version === 4
      ? sign(signingKey(secretAccessKey, claim.date, claim.region, claim.service), policy)
      : createHmac('sha1', secretAccessKey).update(policy, 'utf8').digest('base64');
  if (!signaturesMatch(expected, claim.signature, claim.version === 4)) {
    throw new AuthFailure('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', {
      accessKeyId: claim.accessKeyId,
      stringToSign: policy,
      signatureProvided: claim.signature,
      signatureVersion: claim.version,
    });
  }
}
