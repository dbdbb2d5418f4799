import { AwsError } from '../../../core/errors.js';

/**
 * The JSON type of a request member, as Lambda's API reference gives it.
 * Structures and maps may name the types of their own members.
 */
export type WireType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'list'
  | { list: WireType }
  | { map: WireType }
  | { structure: Members };
export type Members = Record<string, WireType>;

const STRUCTURE = { structure: {} } as const;
const STRINGS = { list: 'string' } as const;
const STRING_MAP = { map: 'string' } as const;

const CODE: Members = { ZipFile: 'string', S3Bucket: 'string', S3Key: 'string', S3ObjectVersion: 'string', ImageUri: 'string', SourceKMSKeyArn: 'string' };
const CONFIGURATION: Members = {
  Role: 'string', Handler: 'string', Description: 'string', Timeout: 'number', MemorySize: 'number', Runtime: 'string',
  KMSKeyArn: 'string', RevisionId: 'string', Layers: STRINGS,
  Environment: { structure: { Variables: STRING_MAP } },
  EphemeralStorage: { structure: { Size: 'number' } },
  VpcConfig: STRUCTURE, DeadLetterConfig: STRUCTURE, TracingConfig: STRUCTURE, FileSystemConfigs: 'list',
  ImageConfig: STRUCTURE, SnapStart: STRUCTURE, LoggingConfig: STRUCTURE,
};
const ROUTING: WireType = { structure: { AdditionalVersionWeights: { map: 'number' } } };
const MAPPING: Members = {
  FunctionName: 'string', Enabled: 'boolean', BatchSize: 'number', FilterCriteria: STRUCTURE,
  MaximumBatchingWindowInSeconds: 'number', ParallelizationFactor: 'number', DestinationConfig: STRUCTURE,
  MaximumRecordAgeInSeconds: 'number', BisectBatchOnFunctionError: 'boolean', MaximumRetryAttempts: 'number',
  TumblingWindowInSeconds: 'number', FunctionResponseTypes: STRINGS, SourceAccessConfigurations: 'list',
};

/** The body members of each Lambda operation that takes a JSON body. */
export const REQUEST_MEMBERS = {
  CreateFunction: {
    ...CONFIGURATION, FunctionName: 'string', Code: { structure: CODE }, Publish: 'boolean', PackageType: 'string',
    Tags: STRING_MAP, CodeSigningConfigArn: 'string', Architectures: STRINGS,
  },
  UpdateFunctionConfiguration: CONFIGURATION,
  UpdateFunctionCode: { ...CODE, Publish: 'boolean', DryRun: 'boolean', RevisionId: 'string', Architectures: STRINGS },
  PublishVersion: { CodeSha256: 'string', Description: 'string', RevisionId: 'string' },
  AddPermission: {
    StatementId: 'string', Action: 'string', Principal: 'string', SourceArn: 'string', SourceAccount: 'string',
    EventSourceToken: 'string', RevisionId: 'string', PrincipalOrgID: 'string', FunctionUrlAuthType: 'string',
  },
  PutFunctionConcurrency: { ReservedConcurrentExecutions: 'number' },
  PublishLayerVersion: {
    Description: 'string', Content: { structure: CODE }, CompatibleRuntimes: STRINGS, LicenseInfo: 'string', CompatibleArchitectures: STRINGS,
  },
  AddLayerVersionPermission: { StatementId: 'string', Action: 'string', Principal: 'string', OrganizationId: 'string' },
  CreateAlias: { Name: 'string', FunctionVersion: 'string', Description: 'string', RoutingConfig: ROUTING },
  UpdateAlias: { FunctionVersion: 'string', Description: 'string', RoutingConfig: ROUTING, RevisionId: 'string' },
  CreateEventSourceMapping: {
    ...MAPPING, EventSourceArn: 'string', StartingPosition: 'string', StartingPositionTimestamp: 'number',
    Tags: STRING_MAP, Topics: STRINGS, Queues: STRINGS, SelfManagedEventSource: STRUCTURE,
  },
  UpdateEventSourceMapping: MAPPING,
  TagResource: { Tags: STRING_MAP },
} satisfies Record<string, Members>;

/**
 * Checks that each known member of `input` has its JSON type, the way AWS's
 * front end does before Lambda sees a request: a number where a string
 * belongs (`{"FunctionName": 5}`) is a 400 SerializationException, worded as
 * AWS words it, not a crash in code that expects a string. null counts as
 * absent; members not listed are left to the operation.
 */
export function checkWireTypes(input: Record<string, unknown>, members: Members): void {
  // Iterative: a hostile body may nest deeply, the member tables do not (depth is bounded by them).
  const pending: { value: Record<string, unknown>; members: Members }[] = [{ value: input, members }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const [name, type] of Object.entries(next.members)) {
      if (!Object.hasOwn(next.value, name)) continue;
      const value = next.value[name];
      if (value === null) continue;
      const problem = mismatch(value, type);
      if (problem) throw new AwsError('SerializationException', problem, 400);
      if (typeof type !== 'object') continue;
      if ('structure' in type) pending.push({ value: value as Record<string, unknown>, members: type.structure });
      else if ('map' in type) for (const entry of Object.values(value as object)) check(entry, type.map);
      else for (const element of value as unknown[]) check(element, type.list);
    }
  }
}

/** A map value or list element: scalars only in Lambda's bodies. */
function check(value: unknown, type: WireType): void {
  const problem = value === null ? undefined : mismatch(value, type);
  if (problem) throw new AwsError('SerializationException', problem, 400);
}

/** AWS's message for `value` where `type` belongs, or undefined when it fits. */
function mismatch(value: unknown, type: WireType): string | undefined {
  const expected = typeof type === 'string' ? type : 'structure' in type || 'map' in type ? 'structure' : 'list';
  const actual = Array.isArray(value) ? 'list' : typeof value === 'object' ? 'structure' : typeof value;
  if (actual === expected) return undefined;
  if (actual === 'structure') return 'Start of structure or map found where not expected.';
  if (actual === 'list') return 'Start of list found where not expected';
  const token = actual === 'number' ? 'NUMBER_VALUE' : actual === 'boolean' ? (value ? 'TRUE_VALUE' : 'FALSE_VALUE') : 'STRING_VALUE';
  const target = expected === 'string' ? 'String' : expected === 'number' ? 'Integer' : expected === 'boolean' ? 'Boolean' : 'a structure or list';
  return `${token} can not be converted to ${target}`;
}
