import { canonicalHeaderValue } from './canonical.js';
import { AuthFailure } from './failure.js';
import { MAX_PRESIGNED_EXPIRES_SECONDS, parseAmzDate, parseHttpDate, toAmzDate } from './time.js';
import type { AuthInfo, SignedRequest, SigV4Auth } from './types.js';
import { percentDecode } from './uri-encoding.js';

/**
 * Reads who a request claims to be signed by and how, without any secret:
 * enough to look the access key up and to route by credential scope. Throws
 * AuthFailure('Malformed') when a signature is there but broken, because AWS
 * answers those before it looks at the key.
 */
export function readAuth(req: SignedRequest): AuthInfo {
  const authorization = canonicalHeaderValue(req.headers['authorization']);
  const query = presignQuery(req.rawQuery);
  const presignedV4 = query.has('x-amz-algorithm') || query.has('x-amz-credential') || query.has('x-amz-signature');
  if (authorization) {
    if (presignedV4 || query.has('signature')) {
      throw new AuthFailure(
        'Malformed',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      );
    }
    return readAuthorizationHeader(authorization, req);
  }
  if (presignedV4) return readPresignedV4(query);
  if (query.has('awsaccesskeyid') && query.has('signature')) {
    const expires = query.get('expires');
    if (expires === undefined || !/^\d+$/.test(expires)) throw new AuthFailure('Malformed', 'Invalid date (should be seconds since epoch)', { presigned: true, signatureVersion: 2 });
    return { kind: 'sigv2-presigned', accessKeyId: query.get('awsaccesskeyid')!, signature: query.get('signature')!, expires: Number(expires) };
  }
  return { kind: 'none' };
}

/**
 * The query parameters that carry authentication, names lower-cased (S3
 * accepts `x-amz-credential` as well as `X-Amz-Credential`), values decoded.
 * Only parameters that could be auth parameters are decoded.
 */
function presignQuery(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  if (rawQuery === '') return params;
  for (const piece of rawQuery.split('&')) {
    const eq = piece.indexOf('=');
    const name = (eq < 0 ? piece : piece.slice(0, eq)).toLowerCase();
    if (!name.startsWith('x-amz-') && name !== 'awsaccesskeyid' && name !== 'signature' && name !== 'expires') continue;
    // A base64 SigV2 signature may arrive with a raw `+`: keep it a `+`.
    const value = eq < 0 ? '' : percentDecode(piece.slice(eq + 1), name !== 'signature').toString('utf8');
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

function readAuthorizationHeader(authorization: string, req: SignedRequest): AuthInfo {
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  const rest = space < 0 ? '' : authorization.slice(space + 1).trim();
  if (scheme === 'AWS') {
    const colon = rest.lastIndexOf(':');
    if (colon <= 0 || colon === rest.length - 1) {
      throw new AuthFailure('Malformed', `AWS authorization header is invalid.  Expected AwsAccessKeyId:signature`, { signatureVersion: 2 });
    }
    return { kind: 'sigv2-header', accessKeyId: rest.slice(0, colon), signature: rest.slice(colon + 1) };
  }
  if (scheme !== 'AWS4-HMAC-SHA256') {
    throw new AuthFailure('Malformed', `Unsupported Authorization Type: ${scheme}`);
  }
  const components = new Map<string, string>();
  for (const part of rest.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) components.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !components.get(name));
  if (missing.length > 0) {
    throw new AuthFailure(
      'Malformed',
      `the authorization header requires three components: Credential, SignedHeaders, and Signature. Missing: ${missing.join(', ')}`,
    );
  }
  const scope = readCredential(components.get('Credential')!, false);
  const amzDate = requestTimeOfHeaders(req, authorization);
  const token = req.headers['x-amz-security-token'];
  const auth: SigV4Auth = {
    kind: 'header',
    ...scope,
    signedHeaders: components.get('SignedHeaders')!.split(';').map((h) => h.trim().toLowerCase()),
    signature: components.get('Signature')!,
    amzDate,
  };
  if (token !== undefined) auth.sessionToken = canonicalHeaderValue(token);
  return auth;
}

/** X-Amz-Date, or else the Date header converted to X-Amz-Date's format (the form the signer signed). */
function requestTimeOfHeaders(req: SignedRequest, authorization: string): string {
  const amzDate = req.headers['x-amz-date'];
  if (amzDate !== undefined) {
    const text = canonicalHeaderValue(amzDate);
    if (parseAmzDate(text)) return text;
    // S3 also takes an HTTP date in x-amz-date.
    const parsed = parseHttpDate(text);
    if (parsed) return toAmzDate(parsed);
  } else if (req.headers['date'] !== undefined) {
    const parsed = parseHttpDate(canonicalHeaderValue(req.headers['date']));
    if (parsed) return toAmzDate(parsed);
  }
  throw new AuthFailure(
    'MissingDate',
    `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`,
  );
}

const CREDENTIAL_SHAPE = 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';

function readCredential(credential: string, presigned: boolean): Pick<SigV4Auth, 'accessKeyId' | 'date' | 'region' | 'service'> {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) throw new AuthFailure('Malformed', CREDENTIAL_SHAPE, { presigned });
  const [accessKeyId, date, region, service, terminal] = parts;
  if (!/^\d{8}$/.test(date)) {
    throw new AuthFailure('Malformed', `incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`, { presigned });
  }
  if (terminal !== 'aws4_request') {
    throw new AuthFailure('Malformed', `incorrect terminal "${terminal}". This endpoint uses "aws4_request".`, { presigned });
  }
  return { accessKeyId, date, region, service };
}

const REQUIRED_PRESIGN_PARAMETERS = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-signature', 'x-amz-date', 'x-amz-signedheaders'];

function readPresignedV4(query: Map<string, string>): SigV4Auth {
  const requiredMessage =
    'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';
  if (REQUIRED_PRESIGN_PARAMETERS.some((name) => !query.get(name))) throw new AuthFailure('Malformed', requiredMessage, { presigned: true });
  if (query.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') {
    throw new AuthFailure('Malformed', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', { presigned: true });
  }
  const scope = readCredential(query.get('x-amz-credential')!, true);
  const amzDate = query.get('x-amz-date')!;
  if (!parseAmzDate(amzDate)) {
    throw new AuthFailure('Malformed', `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`, { presigned: true });
  }
  const auth: SigV4Auth = {
    kind: 'presigned',
    ...scope,
    signedHeaders: query.get('x-amz-signedheaders')!.split(';').map((h) => h.trim().toLowerCase()),
    signature: query.get('x-amz-signature')!,
    amzDate,
  };
  const expires = query.get('x-amz-expires');
  // S3 requires X-Amz-Expires; other services default to the 15-minute window of header signatures.
  if (expires === undefined) {
    if (scope.service === 's3') throw new AuthFailure('Malformed', requiredMessage, { presigned: true });
  } else {
    if (/^-\d+$/.test(expires)) throw new AuthFailure('Malformed', 'X-Amz-Expires must be non-negative', { presigned: true });
    if (!/^\d+$/.test(expires)) throw new AuthFailure('Malformed', 'X-Amz-Expires should be a number', { presigned: true });
    auth.expiresSeconds = Number(expires);
    if (auth.expiresSeconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
      throw new AuthFailure(
        'Malformed',
        `X-Amz-Expires must be less than a week (in seconds) that is; the given X-Amz-Expires must be less than ${MAX_PRESIGNED_EXPIRES_SECONDS} seconds`,
        { presigned: true },
      );
    }
  }
  const token = query.get('x-amz-security-token');
  if (token !== undefined) auth.sessionToken = token;
  return auth;
}
