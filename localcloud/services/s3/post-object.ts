import type { TrustBoundary } from '../../auth/index.js';
import type { PostPolicySignature } from '../../auth/sigv4/index.js';
import type { Principal } from '../../auth/types.js';
import { escapeXml } from '../../protocols/xml.js';
import { tagsOfDocument } from './bucket-configurations.js';
import { emptyResponse, type S3Handler } from './call.js';
import { S3Error } from './errors.js';
import { parseUploadForm, type UploadForm } from './multipart-form.js';
import { attributesFromHeaders, requireObjectKey, validateTags } from './object-attributes.js';
import { checkPostPolicy } from './post-policy.js';
import type { ObjectAttributes } from './records.js';
import { S3_XMLNS } from './xml.js';

/**
 * POST /bucket with `multipart/form-data`: a browser upload form, usually
 * made by `createPresignedPost` / `generate_presigned_post`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html).
 * The request itself is unsigned: the form carries a POST policy and its
 * signature, so authentication happens here, through the trust boundary, and
 * the form's signer must be allowed s3:PutObject on the key.
 */
export const postObject: S3Handler = async ({ req, store, bucket, trust, notify }) => {
  store.getBucket(bucket);
  const form = parseUploadForm(req.headers['content-type'], req.body);
  const { fields, file } = form;
  const rawKey = fields.get('key');
  if (rawKey === undefined) throw missingField('key');
  const key = rawKey.replaceAll('${filename}', file.filename);
  requireObjectKey(key);
  const policyFields = new Map(fields).set('key', key);

  const now = new Date();
  const principal = authenticateForm(form, trust, now);
  const policy = fields.get('policy');
  if (policy !== undefined) checkPostPolicy(policy, { fields: policyFields, names: form.names, bucket, fileSize: file.data.length }, now);

  const tagging = fields.get('tagging');
  const input = { Bucket: bucket, Key: key, ...(fields.has('acl') ? { ACL: fields.get('acl') } : {}), ...(tagging ? { Tagging: tagging } : {}) };
  if (principal === undefined) await req.authorize?.('PostObject', input);
  else if (trust && trust.mode !== 'off') await trust.authorizer.authorize(principal, 's3', 'PostObject', input, req);

  const attributes: ObjectAttributes = { ...attributesFromHeaders(formHeaders(fields)), tags: formTags(tagging) };
  const record = await store.putObject(bucket, key, file.data, attributes);
  notify('ObjectCreated:Post', key, record);
  const location = `${req.endpoint}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
  return answer(fields, { bucket, key, etag: record.etag, location });
};

/** The fields that become object attributes, in the header form PutObject reads them from. */
function formHeaders(fields: Map<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of fields) {
    if (name.startsWith('x-amz-meta-') || name === 'x-amz-storage-class' || name === 'x-amz-website-redirect-location') headers[name] = value;
  }
  for (const name of ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires']) {
    const value = fields.get(name);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/** A form's `tagging` is a `<Tagging>` XML document, not PutObject's query string. */
function formTags(tagging: string | undefined): { Key: string; Value: string }[] {
  if (!tagging) return [];
  const tags = tagsOfDocument(tagging);
  validateTags(tags);
  return tags;
}

/**
 * The form's signer: SigV4 (`x-amz-algorithm`, `x-amz-credential`,
 * `x-amz-date`, `x-amz-signature`) or SigV2 (`AWSAccessKeyId`, `signature`),
 * both over `policy`. Undefined for an unsigned form, which is anonymous.
 */
function authenticateForm({ fields }: UploadForm, trust: TrustBoundary | undefined, now: Date): Principal | undefined {
  const claim = signatureClaim(fields);
  if (!claim) return undefined;
  const policy = fields.get('policy');
  if (policy === undefined) throw missingField('policy');
  if (!trust) return undefined;
  return trust.authenticator.authenticatePostPolicy(policy, claim, fields.get('x-amz-security-token'), now).principal;
}

function signatureClaim(fields: Map<string, string>): PostPolicySignature | undefined {
  const v4 = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'];
  if (v4.some((name) => fields.has(name))) {
    for (const name of v4) if (!fields.get(name)) throw missingField(name);
    const algorithm = fields.get('x-amz-algorithm')!;
    if (algorithm !== 'AWS4-HMAC-SHA256') throw S3Error.invalidArgument('Unsupported algorithm', 'x-amz-algorithm', algorithm);
    const credential = fields.get('x-amz-credential')!;
    const scope = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(credential);
    if (!scope) throw S3Error.invalidArgument(`Invalid credential: ${credential}`, 'x-amz-credential', credential);
    const [, accessKeyId, date, region, service] = scope;
    if (service !== 's3') throw S3Error.invalidArgument(`Invalid credential: the service must be 's3', not '${service}'`, 'x-amz-credential', credential);
    return { version: 4, accessKeyId, date, region, service, signature: fields.get('x-amz-signature')! };
  }
  if (fields.has('awsaccesskeyid') || fields.has('signature')) {
    for (const name of ['AWSAccessKeyId', 'signature']) if (!fields.get(name.toLowerCase())) throw missingField(name);
    return { version: 2, accessKeyId: fields.get('awsaccesskeyid')!, signature: fields.get('signature')! };
  }
  return undefined;
}

function missingField(name: string) {
  return S3Error.invalidArgument(`Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, name, '');
}

/**
 * `success_action_redirect` (303 to it, with bucket, key and ETag in its
 * query), else `success_action_status`: 200 or 201 (with a PostResponse
 * document); 204 otherwise, as S3 defaults.
 */
function answer(fields: Map<string, string>, object: { bucket: string; key: string; etag: string; location: string }) {
  const headers = { etag: object.etag, location: object.location };
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (redirect) {
    try {
      const url = new URL(redirect);
      url.searchParams.set('bucket', object.bucket);
      url.searchParams.set('key', object.key);
      url.searchParams.set('etag', object.etag);
      return emptyResponse(303, { ...headers, location: url.toString() });
    } catch {
      // Not a URL: S3 ignores it and answers as without one.
    }
  }
  const status = fields.get('success_action_status');
  if (status === '200') return emptyResponse(200, headers);
  if (status === '201') {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse xmlns="${S3_XMLNS}"><Location>${escapeXml(object.location)}</Location>` +
      `<Bucket>${escapeXml(object.bucket)}</Bucket><Key>${escapeXml(object.key)}</Key><ETag>${object.etag}</ETag></PostResponse>`;
    return { status: 201, headers: { ...headers, 'content-type': 'application/xml' }, body };
  }
  return emptyResponse(204, headers);
}
