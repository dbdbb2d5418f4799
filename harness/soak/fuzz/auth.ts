/**
 * Garbage at the door: requests that are unsigned, carry a broken
 * Authorization header, are signed by keys the cloud does not know or with
 * an IAM user's wrong secret, signed for another service or another time,
 * or presigned and then stretched. IAM is enforced, so every one of them
 * must be refused — with the error AWS gives, in the service's own shape
 * (JSON `__type`, query/S3 XML `<Code>`), never a 5xx, a success or a hang.
 *
 * The account root (`test`) is special: its secret is not checked (the
 * cloud's documented convenience), so a wrong signature by the root is let
 * in; the root's cases here break what is checked for it too — the header's
 * form, the credential scope, the clock, the body hash.
 */
import { createHash } from 'node:crypto';
import { createSoakUser, type UserKeys } from '../role.js';
import { signCall } from '../sign.js';
import { sendHttp } from '../wire.js';
import { ROOT_KEYS, SOAK_REGION, type FuzzCase, type FuzzClass, type FuzzRequest, type SignAs } from './case.js';
import { SOAK_BUCKET } from './s3-xml.js';

interface Target {
  label: string;
  /** The signing name. */
  service: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Whether a user of no permissions is still allowed (STS GetCallerIdentity is, in AWS). */
  openToAnyone?: boolean;
}

const TARGETS: Target[] = [
  { label: 'DynamoDB ListTables', service: 'dynamodb', method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' },
  { label: 'Kinesis ListStreams', service: 'kinesis', method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' }, body: '{}' },
  { label: 'CloudWatch ListMetrics', service: 'monitoring', method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' }, body: '{}' },
  { label: 'IAM ListUsers', service: 'iam', method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: 'Action=ListUsers&Version=2010-05-08' },
  { label: 'STS GetCallerIdentity', service: 'sts', method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: 'Action=GetCallerIdentity&Version=2011-06-15', openToAnyone: true },
  { label: 'Lambda ListFunctions', service: 'lambda', method: 'GET', path: '/2015-03-31/functions', headers: {} },
  { label: 'S3 ListObjects', service: 's3', method: 'GET', path: `/${SOAK_BUCKET}`, headers: {} },
  { label: 'S3 PutObject', service: 's3', method: 'PUT', path: `/${SOAK_BUCKET}/soak-auth-key`, headers: { 'content-type': 'text/plain' }, body: 'soak' },
];

const HOUR_MS = 3600_000;
const WEEK_SECONDS = 7 * 24 * 3600;
const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');
const amzNow = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function authGarbage(): FuzzClass {
  // The IAM user's keys exist once the class has prepared them; signing reads them then.
  let user: UserKeys | undefined;
  const userKeys = () => {
    if (!user) throw new Error('the auth class was not prepared: no IAM user');
    return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
  };
  const cases: FuzzCase[] = [];
  for (const t of TARGETS) {
    const base = { kind: 'http' as const, method: t.method, path: t.path, body: t.body };
    const as = (extra: Partial<SignAs> = {}): SignAs => ({ service: t.service, region: SOAK_REGION, keys: () => ROOT_KEYS, ...extra });
    const add = (label: string, request: FuzzRequest, expect: FuzzCase['expect'] = 'error', essential = false) =>
      cases.push({ label: `${t.label}: ${label}`, request, expect, essential });
    const raw = (label: string, headers: Record<string, string>, essential = false) => add(label, { ...base, headers: { ...t.headers, ...headers } }, 'error', essential);
    const signed = (label: string, sign: SignAs, expect: FuzzCase['expect'] = 'error', essential = false) => add(label, { ...base, headers: { ...t.headers }, sign }, expect, essential);
    const credential = (key = 'test') => `${key}/${today()}/${SOAK_REGION}/${t.service}/aws4_request`;

    // Unsigned: refused (S3: anonymous, and no bucket policy lets anyone in).
    raw('unsigned', {}, true);
    // Authorization headers that are not SigV4 (or are half of it).
    raw('Authorization: the scheme alone', { authorization: 'AWS4-HMAC-SHA256', 'x-amz-date': amzNow() }, true);
    raw('Authorization: Bearer', { authorization: 'Bearer soak-token' });
    raw('Authorization: an unknown algorithm', { authorization: `AWS4-HMAC-SHA512 Credential=${credential()}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`, 'x-amz-date': amzNow() });
    raw('Authorization: an empty Credential', { authorization: `AWS4-HMAC-SHA256 Credential=, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`, 'x-amz-date': amzNow() });
    raw('Authorization: a Credential of three parts', { authorization: `AWS4-HMAC-SHA256 Credential=test/${today()}/${SOAK_REGION}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`, 'x-amz-date': amzNow() });
    raw('Authorization: a Credential date that is not a date', { authorization: `AWS4-HMAC-SHA256 Credential=test/2025-1-1/${SOAK_REGION}/${t.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`, 'x-amz-date': amzNow() });
    raw('Authorization: no Signature', { authorization: `AWS4-HMAC-SHA256 Credential=${credential()}, SignedHeaders=host;x-amz-date`, 'x-amz-date': amzNow() });
    raw('Authorization: no X-Amz-Date or Date', { authorization: `AWS4-HMAC-SHA256 Credential=${credential()}, SignedHeaders=host, Signature=${'0'.repeat(64)}` });
    raw('Authorization: an X-Amz-Date that is not a date', { authorization: `AWS4-HMAC-SHA256 Credential=${credential()}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`, 'x-amz-date': 'yesterday' });
    raw('Authorization: 10 KB of commas', { authorization: `AWS4-HMAC-SHA256 ${','.repeat(10_000)}`, 'x-amz-date': amzNow() });
    raw('Authorization: SignedHeaders without host', { authorization: `AWS4-HMAC-SHA256 Credential=${credential()}, SignedHeaders=x-amz-date, Signature=${'0'.repeat(64)}`, 'x-amz-date': amzNow() });
    raw('Authorization: a __proto__ access key', { authorization: `AWS4-HMAC-SHA256 Credential=${credential('__proto__')}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`, 'x-amz-date': amzNow() }, true);
    raw('Authorization: SigV2 with an empty key and signature', { authorization: 'AWS :', date: new Date().toUTCString() });
    // The root's signature is not checked: a signature that is not even hex is let in (success or the operation's own error).
    add('the root with a Signature that is not hex', { ...base, headers: { ...t.headers, authorization: `AWS4-HMAC-SHA256 Credential=${credential()}, SignedHeaders=host;x-amz-date, Signature=soak`, 'x-amz-date': amzNow() } }, 'any');

    // Keys the cloud does not know, signed properly.
    signed('an unknown access key', as({ keys: () => ({ accessKeyId: 'AKIASOAKUNKNOWN00000', secretAccessKey: 'soak' }) }), 'error', true);
    for (const key of ['constructor', 'hasOwnProperty', '1234567890123']) signed(`access key '${key}'`, as({ keys: () => ({ accessKeyId: key, secretAccessKey: 'soak' }) }));
    // The root, with what is checked for it broken.
    signed('the root, signed for another service', as({ service: t.service === 'sts' ? 'iam' : 'sts' }));
    signed('the root, scope date not the request date', as({ tamper: (s) => ({ ...s, headers: { ...s.headers, authorization: s.headers.authorization!.replace(/Credential=([^/]+)\/\d{8}\//, 'Credential=$1/20200101/') } }) }));
    signed('the root, signed an hour ago', as({ signingDate: () => new Date(Date.now() - HOUR_MS) }), 'error', true);
    signed('the root, signed a year ahead', as({ signingDate: () => new Date(Date.now() + 365 * 24 * HOUR_MS) }));
    signed('the root, signed for another body', as({ signedBody: '{"soak":"another body"}' }), 'error', true);
    if (t.service === 's3') {
      signed('the root, x-amz-content-sha256 changed after signing', as({ tamper: (s) => ({ ...s, headers: { ...s.headers, 'x-amz-content-sha256': sha256('another body') } }) }));
    }
    // An IAM user: its secret is checked, and it has no permissions.
    signed("an IAM user's key with a wrong secret", as({ keys: () => ({ ...userKeys(), secretAccessKey: `${userKeys().secretAccessKey}x` }) }), 'error', true);
    signed("an IAM user's key with the secret of the root", as({ keys: () => ({ ...userKeys(), secretAccessKey: 'test' }) }));
    signed('an IAM user of no permissions', as({ keys: userKeys }), t.openToAnyone ? 'any' : 'error', true);
    signed('an IAM user, with a session token nobody issued', as({ keys: () => ({ ...userKeys(), sessionToken: 'soak-token' }) }), t.openToAnyone ? 'any' : 'error');
    signed('an IAM user, the signature altered', as({ keys: userKeys, tamper: (s) => ({ ...s, headers: { ...s.headers, authorization: s.headers.authorization!.replace(/Signature=(.)/, (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`) } }) }));
    if (t.service !== 's3') {
      signed('an IAM user, signed for another body', as({ keys: userKeys, signedBody: '{"soak":"another body"}' }));
    }

    // Presigned URLs (GET only: a presigned URL is a link), stretched past what they were signed for.
    if (t.method === 'GET' || t.service === 'sts') {
      const presignedBase = t.service === 'sts' ? { ...base, method: 'GET', path: '/?Action=GetCallerIdentity&Version=2011-06-15', body: undefined } : base;
      const presigned = (label: string, sign: SignAs, essential = false, expect: FuzzCase['expect'] = 'error') =>
        cases.push({ label: `${t.label}: presigned, ${label}`, request: { ...presignedBase, headers: {}, sign: { ...sign, presignSeconds: sign.presignSeconds ?? 60 } }, expect, essential });
      const expires = (value: string) => (s: { path: string; headers: Record<string, string> }) => ({ ...s, path: s.path.replace(/X-Amz-Expires=\d+/, `X-Amz-Expires=${value}`) });
      presigned("by an IAM user, X-Amz-Expires stretched from 60 s to a week", as({ keys: userKeys, tamper: expires(String(WEEK_SECONDS)) }), true);
      presigned('by the root, X-Amz-Expires stretched past a week', as({ tamper: expires(String(WEEK_SECONDS + 1)) }), true);
      presigned('by the root, X-Amz-Expires of 10^20', as({ tamper: expires('100000000000000000000') }));
      presigned('by the root, X-Amz-Expires=0', as({ tamper: expires('0') }));
      presigned('by the root, X-Amz-Expires=-1', as({ tamper: expires('-1') }));
      presigned('by the root, X-Amz-Expires=abc', as({ tamper: expires('abc') }));
      presigned('by the root an hour ago, for 60 s', as({ signingDate: () => new Date(Date.now() - HOUR_MS) }), true);
      presigned('by the root eight days ago, for a week', as({ signingDate: () => new Date(Date.now() - 8 * 24 * HOUR_MS), presignSeconds: WEEK_SECONDS }));
      presigned('by an IAM user, X-Amz-Date moved an hour later', as({ keys: userKeys, tamper: (s) => ({ ...s, path: s.path.replace(/X-Amz-Date=(\d{8}T\d{6}Z)/, (_m, d: string) => `X-Amz-Date=${shiftAmzDate(d, HOUR_MS)}`) }) }));
      presigned('by an IAM user, X-Amz-Signature removed', as({ keys: userKeys, tamper: (s) => ({ ...s, path: s.path.replace(/&?X-Amz-Signature=[0-9a-f]+/, '') }) }));
      presigned('by an IAM user, and an Authorization header too', as({ keys: userKeys, tamper: (s) => ({ ...s, headers: { ...s.headers, authorization: `AWS4-HMAC-SHA256 Credential=${credential(userKeys().accessKeyId)}, SignedHeaders=host, Signature=${'0'.repeat(64)}` } }) }));
      presigned('by an IAM user of no permissions', as({ keys: userKeys }), false, t.openToAnyone ? 'any' : 'error');
    }
  }
  return {
    name: 'auth: unsigned and badly signed requests',
    cases,
    prepare: async (url: string) => {
      user = await createSoakUser(url, `soak-user-${process.pid}`);
      // The bucket the S3 cases address exists: refusals must come from auth, not from NoSuchBucket.
      await sendHttp(url, await signCall(url, { method: 'PUT', path: `/${SOAK_BUCKET}`, headers: {} }, { service: 's3', region: SOAK_REGION, keys: () => ROOT_KEYS }), 5000);
    },
  };
}

function shiftAmzDate(amzDate: string, ms: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)!;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + ms);
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
