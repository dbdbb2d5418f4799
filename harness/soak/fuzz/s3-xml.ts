/**
 * Hostile XML bodies for the S3 operations that parse one: DOCTYPEs and
 * entities (internal, external, exponential), `__proto__` and `constructor`
 * element names, unclosed and deeply nested documents. S3 answers
 * MalformedXML (400) to a document it cannot take.
 */
import { INVALID_UTF8, nested, signAs, type FuzzCase, type FuzzClass, type FuzzRequest } from './case.js';

export const SOAK_BUCKET = 'soak-fuzz-bucket';

/** The operations, each with the root element its body has. */
const OPERATIONS: { label: string; method: string; path: string; root: string; valid: string }[] = [
  { label: 'CreateBucket', method: 'PUT', path: '/soak-fuzz-new-bucket', root: 'CreateBucketConfiguration', valid: '<LocationConstraint>us-west-2</LocationConstraint>' },
  { label: 'PutBucketTagging', method: 'PUT', path: `/${SOAK_BUCKET}?tagging`, root: 'Tagging', valid: '<TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>' },
  { label: 'DeleteObjects', method: 'POST', path: `/${SOAK_BUCKET}?delete`, root: 'Delete', valid: '<Object><Key>a</Key></Object>' },
  { label: 'PutBucketNotificationConfiguration', method: 'PUT', path: `/${SOAK_BUCKET}?notification`, root: 'NotificationConfiguration', valid: '' },
  { label: 'PutBucketVersioning', method: 'PUT', path: `/${SOAK_BUCKET}?versioning`, root: 'VersioningConfiguration', valid: '<Status>Enabled</Status>' },
  { label: 'PutBucketCors', method: 'PUT', path: `/${SOAK_BUCKET}?cors`, root: 'CORSConfiguration', valid: '<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule>' },
  { label: 'CompleteMultipartUpload', method: 'POST', path: `/${SOAK_BUCKET}/soak-key?uploadId=soak-missing`, root: 'CompleteMultipartUpload', valid: '<Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part>' },
];

function s3Call(method: string, path: string, body: string | Buffer): FuzzRequest {
  return { kind: 'http', method, path, headers: { 'content-type': 'application/xml' }, body, sign: signAs('s3') };
}

export function s3Xml(): FuzzClass {
  const cases: FuzzCase[] = [];
  for (const op of OPERATIONS) {
    const doc = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><${op.root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${op.root}>`;
    const bodies: [label: string, body: string | Buffer, expect: FuzzCase['expect'], essential?: boolean][] = [
      ['a DOCTYPE with an internal entity', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "soak">]><${op.root}>&e;</${op.root}>`, 'error', true],
      ['an external entity (file:///etc/passwd)', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><${op.root}>&x;</${op.root}>`, 'error', true],
      ['exponential entities (billion laughs, 10 levels)', billionLaughs(op.root), 'error', true],
      ['a parameter entity', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p "soak"> %p;]><${op.root}/>`, 'error'],
      ['__proto__ elements', doc('<__proto__><SoakPollutedXml>1</SoakPollutedXml></__proto__>'), 'any', true],
      ['constructor/prototype elements', doc('<constructor><prototype><SoakPollutedXml2>1</SoakPollutedXml2></prototype></constructor>'), 'any', true],
      ['__proto__ inside the valid document', doc(`${op.valid}<__proto__>x</__proto__>`), 'any'],
      ['an unclosed root', `<${op.root}>${op.valid}`, 'error', true],
      ['an unclosed child', doc('<Unclosed>'), 'error'],
      ['mismatched tags', doc('<A></B>'), 'error'],
      ['elements nested 5,000 deep', doc(nested('<a>', '</a>', 'x', 5000)), 'error', true],
      ['an attribute of 1 MB', doc(`<A b="${'x'.repeat(1_000_000)}"/>`), 'any'],
      ['10,000 sibling elements', doc('<Object><Key>k</Key></Object>'.repeat(10_000)), 'any'],
      ['invalid UTF-8', Buffer.concat([Buffer.from(`<${op.root}>`), INVALID_UTF8, Buffer.from(`</${op.root}>`)]), 'error'],
      ['not XML', '{"json": true}', 'error'],
      ['an empty document', '', 'any'],
      ['a CDATA section', doc(`<![CDATA[${op.valid}]]>`), 'any'],
      ['a processing instruction', doc(`<?soak x?>${op.valid}`), 'any'],
    ];
    for (const [label, body, expect, essential] of bodies) {
      cases.push({ label: `${op.label}: ${label}`, request: s3Call(op.method, op.path, body), expect, essential });
    }
  }
  return { name: 'S3: hostile XML', cases };
}

function billionLaughs(root: string): string {
  const entities = ['<!ENTITY l0 "lol">'];
  for (let i = 1; i <= 10; i++) entities.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
  return `<?xml version="1.0"?><!DOCTYPE r [${entities.join('')}]><${root}>&l10;</${root}>`;
}
