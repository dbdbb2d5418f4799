import { AwsError } from './errors.js';

/**
 * AWS's Regions, by partition, as of early 2026 (the partition data the AWS
 * SDK v3 ships, checked against AWS's "Region billing codes" page). A
 * request signed for anything else is refused the way AWS refuses it: with a
 * signature error, before any service looks at it. Besides mirroring AWS, this
 * keeps a typo or a made-up region from silently opening a fresh, empty set of
 * stores (tables, streams, buckets) that then stays open.
 *
 * The list needs an entry when AWS opens a Region; until then, start the
 * cloud with that Region as its default (`--region`), which is always accepted.
 */
export const AWS_REGIONS = {
  /** Commercial Regions (partition `aws`), opt-in ones included. */
  aws: [
    'af-south-1',
    'ap-east-1', 'ap-east-2',
    'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
    'ap-south-1', 'ap-south-2',
    'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
    'ca-central-1', 'ca-west-1',
    'eu-central-1', 'eu-central-2',
    'eu-north-1',
    'eu-south-1', 'eu-south-2',
    'eu-west-1', 'eu-west-2', 'eu-west-3',
    'il-central-1',
    'me-central-1', 'me-south-1', 'me-west-1',
    'mx-central-1',
    'sa-east-1', 'sa-west-1',
    'us-east-1', 'us-east-2',
    'us-west-1', 'us-west-2',
  ],
  /** AWS GovCloud (US). */
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  /** China (Beijing, Ningxia). */
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  /** AWS European Sovereign Cloud. */
  'aws-eusc': ['eusc-de-east-1'],
} as const;

const KNOWN = new Set<string>(Object.values(AWS_REGIONS).flat());

export function isAwsRegion(region: string): boolean {
  return KNOWN.has(region);
}

/**
 * How the service answering a request spells errors, which decides how a bad
 * credential-scope Region is reported: AWS answers it at the signature check,
 * in the protocol of the endpoint that was called.
 */
export type ErrorDialect = 'json' | 'rest-json' | 'query' | 's3';

/**
 * The error AWS gives a request whose SigV4 credential scope names `region`,
 * or undefined when the Region is one of AWS's (or the cloud's own default,
 * whatever it is). `presigned` is a request signed in its query string.
 *
 * - JSON services (DynamoDB, Kinesis, CloudWatch Logs): `InvalidSignatureException`, 400;
 * - Lambda (REST-JSON): `InvalidSignatureException`, 403;
 * - query services (IAM, STS, CloudFormation, CloudWatch): `SignatureDoesNotMatch`, 403;
 * - S3: `AuthorizationHeaderMalformed` (or, presigned, `AuthorizationQueryParametersError`),
 *   400, naming the Region it expected.
 */
export function credentialScopeRegionError(
  region: string,
  dialect: ErrorDialect,
  defaultRegion: string,
  presigned = false,
): AwsError | undefined {
  if (region === defaultRegion || isAwsRegion(region)) return undefined;
  const scoped = `Credential should be scoped to a valid region, not '${region}'.`;
  switch (dialect) {
    case 'json':
      return new AwsError('InvalidSignatureException', scoped, 400);
    case 'rest-json':
      return new AwsError('InvalidSignatureException', scoped, 403);
    case 'query':
      return new AwsError('SignatureDoesNotMatch', scoped, 403);
    case 's3':
      return presigned
        ? new AwsError('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${defaultRegion}'`, 400, { Region: defaultRegion })
        : new AwsError('AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${region}' is wrong; expecting '${defaultRegion}'`, 400, { Region: defaultRegion });
  }
}
