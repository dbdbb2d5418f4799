import { AwsError } from '../../core/errors.js';
import type { ServiceResponse } from '../../core/types.js';
import { S3Error } from './errors.js';
import type { S3Store } from './store.js';
import { children, childText, parseXmlBody, type XmlNode } from './xml.js';

/**
 * A bucket's CORS configuration applied as S3 applies it: preflights are
 * answered from the first rule that matches the origin, the requested method
 * and every requested header; actual requests from a matching origin get that
 * rule's headers, and other requests are served without any.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 */
export interface CorsRule {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const CORS_METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);
const MAX_RULES = 100;

/** Parses (and validates, as PutBucketCors does) a stored `CORSConfiguration` document. */
export function parseCorsConfiguration(document: string | Buffer): CorsRule[] {
  const root = parseXmlBody(Buffer.isBuffer(document) ? document : Buffer.from(document, 'utf8'), 'CORSConfiguration');
  const rules = children(root, 'CORSRule').map(parseRule);
  if (rules.length === 0 || rules.length > MAX_RULES) throw S3Error.malformedXml();
  return rules;
}

function parseRule(node: XmlNode): CorsRule {
  const texts = (name: string) => children(node, name).map((child) => String(child['#text'] ?? '').trim());
  const allowedOrigins = texts('AllowedOrigin');
  const allowedMethods = texts('AllowedMethod');
  if (allowedOrigins.length === 0 || allowedMethods.length === 0) throw S3Error.malformedXml();
  for (const method of allowedMethods) {
    if (!CORS_METHODS.has(method)) throw S3Error.invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
  }
  for (const origin of allowedOrigins) {
    if (origin.split('*').length > 2) throw S3Error.invalidRequest(`AllowedOrigin "${origin}" can not have more than one wildcard.`);
  }
  const allowedHeaders = texts('AllowedHeader');
  for (const header of allowedHeaders) {
    if (header.split('*').length > 2) throw S3Error.invalidRequest(`AllowedHeader "${header}" can not have more than one wildcard.`);
  }
  const maxAge = childText(node, 'MaxAgeSeconds');
  return {
    allowedOrigins,
    allowedMethods,
    allowedHeaders,
    exposeHeaders: texts('ExposeHeader'),
    ...(maxAge !== undefined && /^\d+$/.test(maxAge.trim()) ? { maxAgeSeconds: Number(maxAge) } : {}),
  };
}

/** `*` stands for any run of characters, at most once per pattern (S3 enforces that on PUT). */
function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return value.length >= prefix.length + suffix.length && value.startsWith(prefix) && value.endsWith(suffix);
}

/** Origins compare case-sensitively, as S3 does; header names do not. */
function ruleAllows(rule: CorsRule, origin: string, method: string, requestHeaders: string[]): boolean {
  if (!rule.allowedMethods.includes(method)) return false;
  if (!rule.allowedOrigins.some((allowed) => wildcardMatch(allowed, origin))) return false;
  const allowedHeaders = rule.allowedHeaders.map((h) => h.toLowerCase());
  return requestHeaders.every((header) => allowedHeaders.some((allowed) => wildcardMatch(allowed, header)));
}

/** The first rule allowing `origin` to send `method` with `requestHeaders` (lower-case names). */
export function matchCorsRule(rules: CorsRule[], origin: string, method: string, requestHeaders: string[] = []): CorsRule | undefined {
  return rules.find((rule) => ruleAllows(rule, origin, method, requestHeaders));
}

/**
 * Whether a rule names `origin` (exactly or by a pattern such as
 * `http://*.example.com`) for `method`. A bare `*` does not count: it is
 * written for AWS, where a secret protects the bucket, and the local cloud's
 * keys are public.
 */
export function rulesNameOrigin(rules: CorsRule[], origin: string, method: string): boolean {
  return rules.some(
    (rule) => ruleAllows(rule, origin, method, []) && rule.allowedOrigins.some((allowed) => allowed !== '*' && wildcardMatch(allowed, origin)),
  );
}

function splitHeaderList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
}

/**
 * The headers S3 adds for a matching rule. A rule allowing every origin (`*`)
 * answers `*`; one naming the origin echoes it and allows credentials.
 */
function ruleHeaders(rule: CorsRule, origin: string, requestHeaders: string[]): Record<string, string> {
  const wildcard = rule.allowedOrigins.includes('*');
  return {
    'access-control-allow-origin': wildcard ? '*' : origin,
    ...(wildcard ? {} : { 'access-control-allow-credentials': 'true' }),
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(requestHeaders.length ? { 'access-control-allow-headers': requestHeaders.join(', ') } : {}),
    ...(rule.exposeHeaders.length ? { 'access-control-expose-headers': rule.exposeHeaders.join(', ') } : {}),
    ...(rule.maxAgeSeconds !== undefined ? { 'access-control-max-age': String(rule.maxAgeSeconds) } : {}),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

/** The bucket's rules, or undefined when it has no CORS configuration (or is gone). */
export function bucketCorsRules(store: S3Store, bucket: string): CorsRule[] | undefined {
  const document = store.findBucket(bucket)?.configurations.cors;
  if (document === undefined) return undefined;
  try {
    return parseCorsConfiguration(document);
  } catch {
    return undefined; // stored before validation existed: treat as no configuration
  }
}

const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/** S3's answer to `OPTIONS` on a bucket or object: the rule's headers, or AccessForbidden. */
export function answerPreflight(store: S3Store, bucket: string, key: string, headers: Record<string, string>): ServiceResponse {
  const origin = headers['origin'];
  const method = headers['access-control-request-method'];
  if (!origin) throw new AwsError('BadRequest', 'Insufficient information. Origin request header needed.', 400);
  if (!method) throw new AwsError('BadRequest', 'Invalid Access-Control-Request-Method: null', 400);
  const resourceType = key ? 'OBJECT' : 'BUCKET';
  const forbidden = (message: string) => new AwsError('AccessForbidden', message, 403, { Method: method, ResourceType: resourceType });
  if (!bucket || !store.findBucket(bucket)) throw forbidden('CORSResponse: Bucket not found');
  const rules = bucketCorsRules(store, bucket);
  if (!rules) throw forbidden('CORSResponse: CORS is not enabled for this bucket.');
  const requestHeaders = splitHeaderList(headers['access-control-request-headers']);
  const rule = matchCorsRule(rules, origin, method, requestHeaders);
  if (!rule) throw forbidden(NOT_ALLOWED);
  return { status: 200, headers: { ...ruleHeaders(rule, origin, requestHeaders), 'content-length': '0' } };
}

/** Headers for an actual (non-preflight) cross-origin request: the matching rule's, or none. */
export function actualRequestCorsHeaders(store: S3Store, bucket: string, method: string, origin: string | undefined): Record<string, string> {
  if (!origin || !bucket) return {};
  const rules = bucketCorsRules(store, bucket);
  const rule = rules && matchCorsRule(rules, origin, method);
  return rule ? ruleHeaders(rule, origin, []) : {};
}
