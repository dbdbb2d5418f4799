import type {
  AddTagsToResourceCommandInput,
  DeleteParameterCommandInput,
  DeleteParametersCommandInput,
  DeleteParametersCommandOutput,
  DescribeParametersCommandInput,
  DescribeParametersCommandOutput,
  GetParameterCommandInput,
  GetParameterCommandOutput,
  GetParameterHistoryCommandInput,
  GetParameterHistoryCommandOutput,
  GetParametersByPathCommandInput,
  GetParametersByPathCommandOutput,
  GetParametersCommandInput,
  GetParametersCommandOutput,
  LabelParameterVersionCommandInput,
  LabelParameterVersionCommandOutput,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  Parameter,
  ParameterHistory,
  ParameterMetadata,
  ParameterTier,
  ParameterType,
  PutParameterCommandInput,
  PutParameterCommandOutput,
  RemoveTagsFromResourceCommandInput,
  Tag,
  UnlabelParameterVersionCommandInput,
  UnlabelParameterVersionCommandOutput,
} from '@aws-sdk/client-ssm';
import type { ServiceRequest } from '../../core/types.js';
import {
  hierarchyLevelLimitExceeded,
  invalidAllowedPattern,
  invalidKeyId,
  invalidNextToken,
  invalidPolicyType,
  invalidResourceId,
  invalidResourceType,
  labelLimitExceeded,
  maxVersionLimitExceeded,
  parameterAlreadyExists,
  parameterNotFound,
  parameterPatternMismatch,
  parameterVersionNotFound,
  ssmValidation,
  tooManyTags,
} from './errors.js';
import { BY_PATH_KEYS, compileLegacyFilters, compileParameterFilters, underPath } from './filters.js';
import { assertCreatableName, assertReadableName, isValidLabel, levels, nameFromArn, parameterArn } from './names.js';
import { currentVersion, type ParameterStore, type ParameterVersion, type StoredParameter } from './parameter-store.js';
import type { SecureValues } from './secure-values.js';

type Output<T> = Omit<T, '$metadata'>;

const TYPES: readonly string[] = ['String', 'StringList', 'SecureString'];
const TIERS: readonly string[] = ['Standard', 'Advanced', 'Intelligent-Tiering'];
const DATA_TYPES: readonly string[] = ['text', 'aws:ec2:image', 'aws:ssm:integration'];
const VALUE_LIMIT: Record<string, number> = { Standard: 4096, Advanced: 8192 };
const DEFAULT_KEY_ID = 'alias/aws/ssm';
const MAX_VERSIONS = 100;
const MAX_LABELS_PER_VERSION = 10;
const MAX_TAGS = 50;
const PATH_RULES =
  'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can\'t be prefixed with \\"aws\\" or \\"ssm\\" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';
const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** A parameter and the version a selector (`name:3`, `name:label`) picked, or its newest. */
interface Selected {
  parameter: StoredParameter;
  version: ParameterVersion;
  selector?: string;
}

/**
 * The Parameter Store operations of SSM (JSON 1.1), typed with the SDK's own
 * shapes. Timestamps travel as epoch seconds.
 */
export class SsmOperations {
  constructor(
    private readonly store: ParameterStore,
    private readonly secure: SecureValues,
  ) {}

  // ---- writing ----------------------------------------------------------------------

  PutParameter(input: PutParameterCommandInput, req: ServiceRequest): Output<PutParameterCommandOutput> {
    const name = input.Name;
    assertCreatableName(name);
    const value = input.Value;
    if (typeof value !== 'string' || value.length === 0) {
      throw ssmValidation(`1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    }
    optionalString(input.Description, 'description', 1024, 0);
    optionalString(input.AllowedPattern, 'allowedPattern', 1024, 0);
    optionalString(input.DataType, 'dataType', 128);
    optionalString(input.Tier, 'tier', 64);
    optionalString(input.Type, 'type', 64);
    const existing = this.store.get(req.accountId, req.region, name);
    if (existing && !input.Overwrite) throw parameterAlreadyExists();
    if (input.Tags !== undefined && input.Overwrite) {
      throw ssmValidation(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    }
    const previous = existing && currentVersion(existing);
    const type = (input.Type ?? previous?.type) as ParameterType | undefined;
    if (type === undefined) throw ssmValidation('A parameter type is required when you create a parameter.');
    if (!TYPES.includes(type)) {
      throw ssmValidation(`1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`);
    }
    if (input.KeyId !== undefined && type !== 'SecureString') throw ssmValidation('KeyId is required for SecureString type parameter only.');
    if (input.KeyId !== undefined && (typeof input.KeyId !== 'string' || input.KeyId.length === 0 || input.KeyId.length > 256)) {
      throw invalidKeyId('The KeyId is not valid.');
    }
    if (input.Policies !== undefined) {
      throw invalidPolicyType(
        'Parameter policies (Expiration, ExpirationNotification, NoChangeNotification) are not served by localcloud: it has no scheduler or EventBridge to act on them. Put the parameter without Policies.',
      );
    }
    const dataType = input.DataType ?? previous?.dataType ?? 'text';
    if (!DATA_TYPES.includes(dataType)) throw ssmValidation(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
    if (dataType === 'aws:ec2:image' && (type !== 'String' || !AMI_ID.test(value))) {
      throw ssmValidation(
        type !== 'String'
          ? 'The aws:ec2:image data type can only be used with String parameters.'
          : `Parameter value, ${value}, is not in the format of an Amazon Machine Image (AMI) ID: ami-12345678 or ami-1234567890abcdef0.`,
      );
    }
    const allowedPattern = input.AllowedPattern ?? previous?.allowedPattern;
    if (allowedPattern !== undefined) checkAllowedPattern(allowedPattern, value);
    const tier = chooseTier(input.Tier, previous?.tier, value);
    const tags = input.Tags === undefined ? {} : tagMap(input.Tags);
    if (Object.keys(tags).length > MAX_TAGS) throw tooManyTags();

    const parameter = existing ?? { name, versions: [], tags };
    if (parameter.versions.length >= MAX_VERSIONS) {
      const oldest = parameter.versions[0]!;
      if (oldest.labels.length > 0) throw maxVersionLimitExceeded(name, oldest.version);
      parameter.versions.shift();
    }
    const version: ParameterVersion = {
      version: (previous?.version ?? 0) + 1,
      value: type === 'SecureString' ? this.secure.seal(name, value) : value,
      type,
      dataType,
      tier,
      ...(type === 'SecureString' ? { keyId: input.KeyId ?? (previous?.type === 'SecureString' ? previous.keyId : undefined) ?? DEFAULT_KEY_ID } : {}),
      ...(input.Description ?? previous?.description ? { description: input.Description ?? previous?.description } : {}),
      ...(allowedPattern !== undefined ? { allowedPattern } : {}),
      labels: [],
      lastModifiedDate: Date.now(),
      lastModifiedUser: req.principal?.arn ?? `arn:aws:iam::${req.accountId}:root`,
    };
    parameter.versions.push(version);
    this.store.put(req.accountId, req.region, parameter);
    return { Version: version.version, Tier: tier };
  }

  DeleteParameter(input: DeleteParameterCommandInput, req: ServiceRequest): void {
    assertReadableName(input.Name);
    if (!this.store.delete(req.accountId, req.region, input.Name)) throw parameterNotFound();
  }

  DeleteParameters(input: DeleteParametersCommandInput, req: ServiceRequest): Output<DeleteParametersCommandOutput> {
    const names = nameList(input.Names);
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of names) (this.store.delete(req.accountId, req.region, name) ? deleted : invalid).push(name);
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  // ---- reading ----------------------------------------------------------------------

  GetParameter(input: GetParameterCommandInput, req: ServiceRequest): Output<GetParameterCommandOutput> {
    assertReadableName(input.Name);
    const selected = this.select(req, input.Name, true);
    return { Parameter: this.describeValue(selected, req, input.WithDecryption === true) };
  }

  GetParameters(input: GetParametersCommandInput, req: ServiceRequest): Output<GetParametersCommandOutput> {
    const names = nameList(input.Names);
    const found: Parameter[] = [];
    const invalid: string[] = [];
    for (const name of new Set(names)) {
      const selected = this.select(req, name, false);
      if (selected) found.push(this.describeValue(selected, req, input.WithDecryption === true));
      else invalid.push(name);
    }
    return { Parameters: found, InvalidParameters: invalid };
  }

  GetParametersByPath(input: GetParametersByPathCommandInput, req: ServiceRequest): Output<GetParametersByPathCommandOutput> {
    const path = input.Path;
    assertReadableName(path, 'path');
    if (!path.startsWith('/') || /^\/(aws|ssm)/i.test(path) || !/^[a-zA-Z0-9_.\-/]+$/.test(path)) throw ssmValidation(PATH_RULES);
    if (levels(path) > 15) throw hierarchyLevelLimitExceeded();
    const limit = pageSize(input.MaxResults, 10, 10);
    const matches = compileParameterFilters(input.ParameterFilters, BY_PATH_KEYS);
    const candidates = this.store
      .list(req.accountId, req.region)
      .filter((p) => underPath(p.name, path, input.Recursive === true) && matches(p));
    const page = pageAfter(candidates, input.NextToken, limit);
    return {
      Parameters: page.items.map((p) => this.describeValue({ parameter: p, version: currentVersion(p) }, req, input.WithDecryption === true)),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  DescribeParameters(input: DescribeParametersCommandInput, req: ServiceRequest): Output<DescribeParametersCommandOutput> {
    if (input.Filters !== undefined && input.ParameterFilters !== undefined) {
      throw ssmValidation('You can use either Filters or ParameterFilters in a single request.');
    }
    const limit = pageSize(input.MaxResults, 50, 10);
    const legacy = compileLegacyFilters(input.Filters);
    const matches = compileParameterFilters(input.ParameterFilters);
    const candidates = this.store.list(req.accountId, req.region).filter((p) => legacy(p) && matches(p));
    const page = pageAfter(candidates, input.NextToken, limit);
    return {
      Parameters: page.items.map((p) => this.describeMetadata(p, req)),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  GetParameterHistory(input: GetParameterHistoryCommandInput, req: ServiceRequest): Output<GetParameterHistoryCommandOutput> {
    assertReadableName(input.Name);
    const parameter = this.find(req, input.Name);
    if (!parameter) throw parameterNotFound();
    const limit = pageSize(input.MaxResults, 50, 50);
    const start = input.NextToken === undefined ? 0 : decodeOffset(input.NextToken);
    const page = parameter.versions.slice(start, start + limit);
    const withDecryption = input.WithDecryption === true;
    return {
      Parameters: page.map(
        (version): ParameterHistory => ({
          Name: parameter.name,
          Type: version.type,
          ...(version.keyId ? { KeyId: version.keyId } : {}),
          LastModifiedDate: seconds(version.lastModifiedDate),
          LastModifiedUser: version.lastModifiedUser,
          ...(version.description ? { Description: version.description } : {}),
          Value: this.valueOf(parameter.name, version, withDecryption),
          ...(version.allowedPattern ? { AllowedPattern: version.allowedPattern } : {}),
          Version: version.version,
          Labels: [...version.labels],
          Tier: version.tier,
          Policies: [],
          DataType: version.dataType,
        }),
      ),
      ...(start + limit < parameter.versions.length ? { NextToken: encodeToken(String(start + limit)) } : {}),
    };
  }

  // ---- labels -----------------------------------------------------------------------

  LabelParameterVersion(input: LabelParameterVersionCommandInput, req: ServiceRequest): Output<LabelParameterVersionCommandOutput> {
    assertReadableName(input.Name);
    const labels = labelList(input.Labels);
    const parameter = this.find(req, input.Name);
    if (!parameter) throw parameterNotFound();
    const version = this.versionOf(parameter, input.ParameterVersion);
    const valid = labels.filter(isValidLabel);
    const invalid = labels.filter((label) => !isValidLabel(label));
    const added = valid.filter((label) => !version.labels.includes(label));
    if (version.labels.length + added.length > MAX_LABELS_PER_VERSION) throw labelLimitExceeded();
    // A label names one version at a time: attaching it here moves it.
    for (const other of parameter.versions) {
      if (other !== version) other.labels = other.labels.filter((label) => !added.includes(label));
    }
    version.labels.push(...added);
    this.store.changed(req.accountId, req.region);
    return { InvalidLabels: invalid, ParameterVersion: version.version };
  }

  UnlabelParameterVersion(input: UnlabelParameterVersionCommandInput, req: ServiceRequest): Output<UnlabelParameterVersionCommandOutput> {
    assertReadableName(input.Name);
    const labels = labelList(input.Labels);
    if (input.ParameterVersion === undefined) throw ssmValidation("1 validation error detected: Value null at 'parameterVersion' failed to satisfy constraint: Member must not be null");
    const parameter = this.find(req, input.Name);
    if (!parameter) throw parameterNotFound();
    const version = this.versionOf(parameter, input.ParameterVersion);
    const removed = labels.filter((label) => version.labels.includes(label));
    const invalid = labels.filter((label) => !version.labels.includes(label));
    version.labels = version.labels.filter((label) => !removed.includes(label));
    this.store.changed(req.accountId, req.region);
    return { RemovedLabels: removed, InvalidLabels: invalid };
  }

  // ---- tags -------------------------------------------------------------------------

  AddTagsToResource(input: AddTagsToResourceCommandInput, req: ServiceRequest): void {
    const parameter = this.taggedParameter(req, input.ResourceType, input.ResourceId);
    if (!Array.isArray(input.Tags) || input.Tags.length === 0) {
      throw ssmValidation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    }
    const tags = { ...parameter.tags, ...tagMap(input.Tags) };
    if (Object.keys(tags).length > MAX_TAGS) throw tooManyTags();
    parameter.tags = tags;
    this.store.changed(req.accountId, req.region);
  }

  RemoveTagsFromResource(input: RemoveTagsFromResourceCommandInput, req: ServiceRequest): void {
    const parameter = this.taggedParameter(req, input.ResourceType, input.ResourceId);
    if (!Array.isArray(input.TagKeys)) throw ssmValidation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
    for (const key of input.TagKeys) if (typeof key === 'string') delete parameter.tags[key];
    this.store.changed(req.accountId, req.region);
  }

  ListTagsForResource(input: ListTagsForResourceCommandInput, req: ServiceRequest): Output<ListTagsForResourceCommandOutput> {
    const parameter = this.taggedParameter(req, input.ResourceType, input.ResourceId);
    return { TagList: Object.entries(parameter.tags).map(([Key, Value]): Tag => ({ Key, Value })) };
  }

  // ---- in-process reads (CloudFormation) ------------------------------------------------

  /** The value (decrypted) and type a selector names, or undefined when there is none. */
  lookup(accountId: string, region: string, nameOrSelector: string): { name: string; type: ParameterType; value: string; version: number } | undefined {
    const req = { accountId, region } as ServiceRequest;
    const selected = this.select(req, nameOrSelector, false);
    if (!selected) return undefined;
    return {
      name: selected.parameter.name,
      type: selected.version.type,
      value: this.valueOf(selected.parameter.name, selected.version, true),
      version: selected.version.version,
    };
  }

  // ---- helpers ----------------------------------------------------------------------

  /** A parameter by name or ARN (ARNs drop a hierarchical name's leading slash). */
  private find(req: ServiceRequest, nameOrArn: string): StoredParameter | undefined {
    const { name, fromArn, accountId, region } = nameFromArn(nameOrArn);
    if (fromArn && (accountId !== req.accountId || region !== req.region)) return undefined;
    return this.store.get(req.accountId, req.region, name) ?? (fromArn ? this.store.get(req.accountId, req.region, `/${name}`) : undefined);
  }

  /**
   * `name`, `name:<version>` or `name:<label>`. With `strict`, a missing
   * parameter or version throws (GetParameter); otherwise it is undefined
   * (GetParameters lists it under InvalidParameters).
   */
  private select(req: ServiceRequest, text: string, strict: true): Selected;
  private select(req: ServiceRequest, text: string, strict: false): Selected | undefined;
  private select(req: ServiceRequest, text: string, strict: boolean): Selected | undefined {
    const arnPart = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:/.exec(text)?.[0] ?? '';
    const rest = text.slice(arnPart.length);
    const colon = rest.lastIndexOf(':');
    const base = colon < 0 ? text : arnPart + rest.slice(0, colon);
    const selector = colon < 0 ? undefined : rest.slice(colon + 1);
    const parameter = this.find(req, base);
    if (!parameter) {
      if (strict) throw parameterNotFound();
      return undefined;
    }
    if (selector === undefined) return { parameter, version: currentVersion(parameter) };
    const version = /^\d+$/.test(selector)
      ? parameter.versions.find((v) => v.version === Number(selector))
      : parameter.versions.find((v) => v.labels.includes(selector));
    if (!version) {
      if (strict) throw parameterVersionNotFound(parameter.name, selector);
      return undefined;
    }
    return { parameter, version, selector: `:${selector}` };
  }

  private versionOf(parameter: StoredParameter, requested: number | undefined): ParameterVersion {
    if (requested === undefined) return currentVersion(parameter);
    const version = parameter.versions.find((v) => v.version === Number(requested));
    if (!version) throw parameterVersionNotFound(parameter.name, String(requested));
    return version;
  }

  private taggedParameter(req: ServiceRequest, type: string | undefined, id: string | undefined): StoredParameter {
    if (type !== 'Parameter') throw invalidResourceType();
    if (typeof id !== 'string' || id.length === 0) throw invalidResourceId();
    const parameter = this.find(req, id);
    if (!parameter) throw invalidResourceId();
    return parameter;
  }

  private valueOf(name: string, version: ParameterVersion, withDecryption: boolean): string {
    return version.type === 'SecureString' && withDecryption ? this.secure.open(name, version.value) : version.value;
  }

  private describeValue(selected: Selected, req: ServiceRequest, withDecryption: boolean): Parameter {
    const { parameter, version } = selected;
    return {
      Name: parameter.name,
      Type: version.type,
      Value: this.valueOf(parameter.name, version, withDecryption),
      Version: version.version,
      ...(selected.selector ? { Selector: selected.selector } : {}),
      LastModifiedDate: seconds(version.lastModifiedDate),
      ARN: parameterArn(req.region, req.accountId, parameter.name),
      DataType: version.dataType,
    };
  }

  private describeMetadata(parameter: StoredParameter, req: ServiceRequest): ParameterMetadata {
    const version = currentVersion(parameter);
    return {
      Name: parameter.name,
      ARN: parameterArn(req.region, req.accountId, parameter.name),
      Type: version.type,
      ...(version.keyId ? { KeyId: version.keyId } : {}),
      LastModifiedDate: seconds(version.lastModifiedDate),
      LastModifiedUser: version.lastModifiedUser,
      ...(version.description ? { Description: version.description } : {}),
      ...(version.allowedPattern ? { AllowedPattern: version.allowedPattern } : {}),
      Version: version.version,
      Tier: version.tier,
      Policies: [],
      DataType: version.dataType,
    };
  }
}

/**
 * The tier a value is stored in: as asked, else the parameter's current one,
 * else Standard. Intelligent-Tiering picks Standard unless the value needs
 * Advanced; a parameter never moves back from Advanced to Standard.
 */
function chooseTier(requested: string | undefined, previous: ParameterTier | undefined, value: string): ParameterTier {
  if (requested !== undefined && !TIERS.includes(requested)) {
    throw ssmValidation(`1 validation error detected: Value '${requested}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]`);
  }
  let tier = (requested ?? previous ?? 'Standard') as ParameterTier;
  if (tier === 'Intelligent-Tiering') tier = value.length > VALUE_LIMIT.Standard! || previous === 'Advanced' ? 'Advanced' : 'Standard';
  if (previous === 'Advanced' && tier === 'Standard') {
    throw ssmValidation(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  if (value.length > VALUE_LIMIT[tier]!) {
    throw ssmValidation(
      tier === 'Standard'
        ? 'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html'
        : 'Advanced tier parameters support a maximum parameter value of 8192 characters.',
    );
  }
  return tier;
}

/** A string member the SDK would have sent as one, within AWS's length bounds. */
function optionalString(value: unknown, member: string, max: number, min = 1): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw ssmValidation(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must be a string of ${min} to ${max} characters`);
  }
}

function checkAllowedPattern(pattern: string, value: string): void {
  if (pattern.length > 1024) throw invalidAllowedPattern('The allowed pattern can be at most 1024 characters long.');
  let expression: RegExp;
  try {
    expression = new RegExp(pattern, 'u');
  } catch {
    throw invalidAllowedPattern(`The allowed pattern is not a valid regular expression: ${pattern}`);
  }
  if (!expression.test(value)) throw parameterPatternMismatch(pattern);
}

function tagMap(tags: Tag[]): Record<string, string> {
  if (!Array.isArray(tags)) throw ssmValidation('Tags must be a list of Key/Value pairs');
  const map: Record<string, string> = {};
  for (const tag of tags) {
    if (typeof tag?.Key !== 'string' || tag.Key.length === 0 || tag.Key.length > 128 || typeof tag.Value !== 'string' || tag.Value.length > 256) {
      throw ssmValidation('A tag needs a Key of 1 to 128 characters and a Value of at most 256 characters.');
    }
    if (/^aws:/i.test(tag.Key)) throw ssmValidation('Tag keys may not begin with aws: (reserved for AWS use).');
    map[tag.Key] = tag.Value;
  }
  return map;
}

/** GetParameters and DeleteParameters take 1 to 10 names. */
function nameList(names: unknown): string[] {
  if (!Array.isArray(names) || names.length < 1 || names.length > 10) {
    throw ssmValidation(
      `1 validation error detected: Value ${Array.isArray(names) ? `'[${names.join(', ')}]'` : 'null'} at 'names' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1`,
    );
  }
  for (const name of names) assertReadableName(name, 'names');
  return names as string[];
}

function labelList(labels: unknown): string[] {
  if (!Array.isArray(labels) || labels.length < 1 || labels.length > 10 || labels.some((label) => typeof label !== 'string' || label.length < 1 || label.length > 100)) {
    throw ssmValidation("1 validation error detected: Value at 'labels' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1, each label 1 to 100 characters");
  }
  return labels as string[];
}

function pageSize(requested: number | undefined, max: number, fallback: number): number {
  if (requested === undefined) return fallback;
  if (!Number.isInteger(requested) || requested < 1 || requested > max) {
    throw ssmValidation(`1 validation error detected: Value '${requested}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  }
  return requested;
}

/** Pages of a name-sorted list: the token is the last name returned. */
function pageAfter(items: StoredParameter[], token: string | undefined, limit: number): { items: StoredParameter[]; nextToken?: string } {
  const after = token === undefined ? undefined : decodeToken(token);
  const rest = after === undefined ? items : items.filter((p) => p.name > after);
  const page = rest.slice(0, limit);
  return { items: page, ...(rest.length > limit ? { nextToken: encodeToken(page[page.length - 1]!.name) } : {}) };
}

function encodeToken(value: string): string {
  return Buffer.from(JSON.stringify({ after: value }), 'utf8').toString('base64');
}

function decodeToken(token: unknown): string {
  if (typeof token !== 'string') throw invalidNextToken();
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (typeof decoded?.after === 'string') return decoded.after;
  } catch {}
  throw invalidNextToken();
}

function decodeOffset(token: string): number {
  const offset = Number(decodeToken(token));
  if (!Number.isInteger(offset) || offset < 0) throw invalidNextToken();
  return offset;
}

const seconds = (ms: number) => (ms / 1000) as unknown as Date;
