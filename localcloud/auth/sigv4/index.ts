/**
 * AWS Signature Version 4 (and S3's legacy Version 2), verified as AWS does.
 * Pure: no service state, no HTTP. The gateway reads the claim (`readAuth`),
 * looks the access key up, then `verify`s the request with the key's secret;
 * S3 checks the chunk signatures of streaming uploads once it decoded them.
 * `authError` turns a failure into the error the service's protocol answers.
 */
export type { AuthInfo, SignedRequest, SigV4Auth } from './types.js';
export { AuthFailure, type AuthFailureContext, type AuthFailureReason } from './failure.js';
export { readAuth } from './read-auth.js';
export { verify, verifyWithoutSecret, signsAnotherPayload, SPECIAL_PAYLOAD_HASHES, type VerifyOptions } from './verify.js';
export { verifyChunkSignatures, streamingScope, signedTrailerOf, canonicalTrailer, type SignedChunk, type SignedTrailer, type StreamingScope } from './streaming.js';
export { authError, type AuthErrorOptions, type AuthProtocol, type CredentialProblem } from './errors.js';
export { signingKey } from './signing-key.js';
export { sigV2StringToSign } from './sigv2.js';
export { verifyPostPolicySignature, type PostPolicySignature } from './post-policy.js';
