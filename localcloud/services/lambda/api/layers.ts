import type {
  AddLayerVersionPermissionRequest,
  AddLayerVersionPermissionResponse,
  GetLayerVersionPolicyResponse,
  GetLayerVersionResponse,
  LayerVersionsListItem,
  ListLayersResponse,
  ListLayerVersionsResponse,
  PublishLayerVersionRequest,
} from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../../core/errors.js';
import type { CloudContext } from '../../../core/types.js';
import type { CodeStore } from '../model/code-store.js';
import type { FunctionLayer } from '../model/functions.js';
import {
  layerArn,
  layerVersionArn,
  parseLayerName,
  parseLayerVersionArn,
  type Layer,
  type LayerPolicyStatement,
  type LayerRef,
  type LayerStore,
  type LayerVersion,
} from '../model/layers.js';
import { lambdaTimestamp } from '../model/names.js';
import { deploymentPackage, type WireCode } from './code-source.js';
import type { CodeUrls } from './code-urls.js';
import { conflict, invalidParameter, notFound, preconditionFailed } from './errors.js';
import { paginate, type Caller } from './functions.js';
import { KNOWN_RUNTIMES } from './runtimes.js';
import { Validator } from './validation.js';

type WirePublishLayerVersion = Omit<PublishLayerVersionRequest, 'Content' | 'LayerName'> & { Content?: WireCode };

const LAYER_NAME_PATTERN = /^((arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9_-]+)|[a-zA-Z0-9_-]+)$/;
const LAYER_NAME_SHOWN = '(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+';
const LAYER_VERSION_ARN_PATTERN = /^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9_-]+:[0-9]+$/;
const LAYER_VERSION_ARN_SHOWN = 'arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+';
const FUNCTION_LAYER_SHOWN = `(${LAYER_VERSION_ARN_SHOWN})|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)`;
const ARCHITECTURES = ['x86_64', 'arm64'];
/** A function may use at most this many layers. */
export const MAX_FUNCTION_LAYERS = 5;

/**
 * PublishLayerVersion, GetLayerVersion(ByArn), ListLayers, ListLayerVersions,
 * DeleteLayerVersion and the layer version policy (Add/Remove/
 * GetLayerVersionPermission), plus the check of a function's `Layers`.
 * Layer content is stored like function code (validated, extracted safely,
 * by content hash) and mounted as the function's /opt (see runtime/layer-mounts.ts).
 */
export class LayerOperations {
  constructor(
    private readonly ctx: CloudContext,
    private readonly layers: LayerStore,
    private readonly code: CodeStore,
    private readonly codeUrls: CodeUrls,
  ) {}

  async publish(layerName: string, input: WirePublishLayerVersion, caller: Caller): Promise<GetLayerVersionResponse> {
    new Validator()
      .required(input.Content, 'content')
      .length(input.Description, 'description', 0, 256)
      .length(input.LicenseInfo, 'licenseInfo', 0, 512)
      .check((input.CompatibleRuntimes?.length ?? 0) <= 15, 'compatibleRuntimes', input.CompatibleRuntimes, 'Member must have length less than or equal to 15')
      .check((input.CompatibleArchitectures?.length ?? 0) <= 2, 'compatibleArchitectures', input.CompatibleArchitectures, 'Member must have length less than or equal to 2')
      .check(
        (input.CompatibleRuntimes ?? []).every((r) => KNOWN_RUNTIMES.includes(r)),
        'compatibleRuntimes',
        input.CompatibleRuntimes,
        `Member must satisfy constraint: [Member must satisfy enum value set: [${KNOWN_RUNTIMES.join(', ')}]]`,
      )
      .check(
        (input.CompatibleArchitectures ?? []).every((a) => ARCHITECTURES.includes(a)),
        'compatibleArchitectures',
        input.CompatibleArchitectures,
        `Member must satisfy constraint: [Member must satisfy enum value set: [${ARCHITECTURES.join(', ')}]]`,
      )
      .throwIfInvalid();
    const ref = this.ownLayer(layerName, caller);
    const stored = await this.code.put(await deploymentPackage(this.ctx, input.Content, caller.accountId, caller.region));
    // Read again after the upload yielded: another publish may have numbered a version meanwhile.
    const layer = this.layers.get(ref) ?? { ...ref, lastVersion: 0, versions: [] };
    layer.lastVersion += 1;
    const version: LayerVersion = {
      version: layer.lastVersion,
      description: input.Description ?? '',
      createdDate: lambdaTimestamp(),
      compatibleRuntimes: [...(input.CompatibleRuntimes ?? [])],
      compatibleArchitectures: [...(input.CompatibleArchitectures ?? [])],
      ...(input.LicenseInfo !== undefined ? { licenseInfo: input.LicenseInfo } : {}),
      codeSha256: stored.sha256,
      codeHash: stored.hash,
      codeSize: stored.size,
      policy: [],
      policyRevisionId: randomUUID(),
    };
    layer.versions.push(version);
    this.layers.save(layer);
    return this.describe(layer, version, caller);
  }

  get(layerName: string, versionNumber: string, caller: Caller): GetLayerVersionResponse {
    const { layer, version } = this.requireVersion(layerName, versionNumber, caller);
    return this.describe(layer, version, caller);
  }

  getByArn(arn: string | undefined, caller: Caller): GetLayerVersionResponse {
    new Validator()
      .required(arn, 'arn')
      .length(arn, 'arn', 1, 140)
      .pattern(arn, 'arn', LAYER_VERSION_ARN_PATTERN, LAYER_VERSION_ARN_SHOWN)
      .throwIfInvalid();
    const parsed = parseLayerVersionArn(arn!);
    const layer = parsed && this.layers.get(parsed);
    const version = parsed && layer?.versions.find((v) => v.version === parsed.version);
    if (!layer || !version) throw notFound();
    return this.describe(layer, version, caller);
  }

  list(query: ListQuery, caller: Caller): ListLayersResponse {
    checkListQuery(query);
    const items = this.layers.list(caller.accountId, caller.region).flatMap((layer) => {
      const latest = matching(layer.versions, query).at(-1);
      return latest ? [{ LayerName: layer.name, LayerArn: layerArn(layer), LatestMatchingVersion: listItem(layer, latest) }] : [];
    });
    return paginate(items, query.marker, query.maxItems ?? 50, (page, next) => ({ Layers: page, NextMarker: next }));
  }

  listVersions(layerName: string, query: ListQuery, caller: Caller): ListLayerVersionsResponse {
    checkListQuery(query);
    const ref = this.layerRef(layerName, caller);
    const layer = this.layers.get(ref);
    // Newest first, as Lambda lists them; a layer that never existed lists nothing.
    const items = layer ? matching(layer.versions, query).reverse().map((v) => listItem(layer, v)) : [];
    return paginate(items, query.marker, query.maxItems ?? 50, (page, next) => ({ LayerVersions: page, NextMarker: next }));
  }

  /** Idempotent, as on AWS. Functions that use the version keep its content (see FunctionLayer). */
  delete(layerName: string, versionNumber: string, caller: Caller): void {
    const ref = this.ownLayer(layerName, caller);
    const number = versionNumberOf(versionNumber);
    const layer = this.layers.get(ref);
    if (!layer || !layer.versions.some((v) => v.version === number)) return;
    layer.versions = layer.versions.filter((v) => v.version !== number);
    this.layers.save(layer);
  }

  addPermission(
    layerName: string,
    versionNumber: string,
    input: AddLayerVersionPermissionRequest,
    caller: Caller,
  ): AddLayerVersionPermissionResponse {
    new Validator()
      .required(input.StatementId, 'statementId')
      .required(input.Action, 'action')
      .required(input.Principal, 'principal')
      .length(input.StatementId, 'statementId', 1, 100)
      .pattern(input.StatementId, 'statementId', /^[a-zA-Z0-9_-]+$/, '([a-zA-Z0-9-_]+)')
      .pattern(input.Action, 'action', /^lambda:GetLayerVersion$/, 'lambda:GetLayerVersion')
      .pattern(input.Principal, 'principal', /^(\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root)$/, '\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root')
      .pattern(input.OrganizationId, 'organizationId', /^o-[a-z0-9]{10,32}$/, 'o-[a-z0-9]{10,32}')
      .throwIfInvalid();
    if (input.OrganizationId && input.Principal !== '*') {
      throw invalidParameter('OrganizationId can only be given with Principal "*".');
    }
    this.ownLayer(layerName, caller);
    const { layer, version } = this.requireVersion(layerName, versionNumber, caller);
    if (input.RevisionId && input.RevisionId !== version.policyRevisionId) throw preconditionFailed();
    if (version.policy.some((s) => s.Sid === input.StatementId)) {
      throw conflict(`The statement id (${input.StatementId}) provided already exists. Please specify a new statement id, or remove the existing statement.`);
    }
    const principal = input.Principal!;
    const statement: LayerPolicyStatement = {
      Sid: input.StatementId!,
      Effect: 'Allow',
      Principal: principal === '*' ? '*' : { AWS: /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal },
      Action: 'lambda:GetLayerVersion',
      Resource: layerVersionArn(layer, version.version),
      ...(input.OrganizationId ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': input.OrganizationId } } } : {}),
    };
    version.policy.push(statement);
    version.policyRevisionId = randomUUID();
    this.layers.save(layer);
    return { Statement: JSON.stringify(statement), RevisionId: version.policyRevisionId };
  }

  removePermission(layerName: string, versionNumber: string, statementId: string, revisionId: string | undefined, caller: Caller): void {
    this.ownLayer(layerName, caller);
    const { layer, version } = this.requireVersion(layerName, versionNumber, caller);
    if (revisionId && revisionId !== version.policyRevisionId) throw preconditionFailed();
    if (!version.policy.some((s) => s.Sid === statementId)) throw notFound(`Statement ${statementId} is not found in resource policy.`);
    version.policy = version.policy.filter((s) => s.Sid !== statementId);
    version.policyRevisionId = randomUUID();
    this.layers.save(layer);
  }

  getPolicy(layerName: string, versionNumber: string, caller: Caller): GetLayerVersionPolicyResponse {
    const { layer, version } = this.requireVersion(layerName, versionNumber, caller);
    const policy = layerVersionPolicy(layer, version);
    if (!policy) throw notFound('No policy is associated with the given resource.');
    return { Policy: policy, RevisionId: version.policyRevisionId };
  }

  /**
   * A function's `Layers` (CreateFunction, UpdateFunctionConfiguration),
   * checked as AWS checks them: version ARNs only, at most five, one version
   * per layer, each existing and usable by the function's account.
   */
  functionLayers(arns: readonly string[], caller: Caller): FunctionLayer[] {
    const v = new Validator();
    for (const arn of arns) {
      v.check(
        typeof arn === 'string' && arn.length >= 1 && arn.length <= 140 && (parseLayerVersionArn(arn) !== undefined || /^arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9_-]+$/.test(arn)),
        'layers',
        arns,
        `Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${FUNCTION_LAYER_SHOWN}]`,
      );
    }
    v.throwIfInvalid();
    if (arns.length > MAX_FUNCTION_LAYERS) throw invalidParameter(`Cannot reference more than ${MAX_FUNCTION_LAYERS} layers.`);
    const seen = new Set<string>();
    return arns.map((arn) => {
      const parsed = parseLayerVersionArn(arn);
      if (!parsed) throw invalidParameter(`AWS-managed layers (${arn}) are not available in this local cloud.`);
      const layerKey = layerArn(parsed);
      if (seen.has(layerKey)) {
        throw invalidParameter(`Two different versions of the same layer are not allowed to be referenced in the same function. ${layerKey}`);
      }
      seen.add(layerKey);
      const version = this.layers.version(parsed, parsed.version);
      if (!version) throw invalidParameter(`Layer version ${arn} does not exist.`);
      if (!usableBy(parsed, version, caller.accountId)) {
        throw new AwsError('AccessDeniedException', `User is not authorized to perform: lambda:GetLayerVersion on resource: ${arn}`, 403);
      }
      return { arn, codeHash: version.codeHash, codeSize: version.codeSize };
    });
  }

  private describe(layer: Layer, version: LayerVersion, caller: Caller): GetLayerVersionResponse {
    return {
      Content: { Location: this.codeUrls.url(caller.endpoint, version.codeHash), CodeSha256: version.codeSha256, CodeSize: version.codeSize },
      LayerArn: layerArn(layer),
      ...listItem(layer, version),
    };
  }

  private requireVersion(layerName: string, versionNumber: string, caller: Caller): { layer: Layer; version: LayerVersion } {
    const ref = this.layerRef(layerName, caller);
    const number = versionNumberOf(versionNumber);
    const layer = this.layers.get(ref);
    const version = layer?.versions.find((v) => v.version === number);
    if (!layer || !version) throw notFound();
    return { layer, version };
  }

  private layerRef(layerName: string, caller: Caller): LayerRef {
    new Validator()
      .length(layerName, 'layerName', 1, 140)
      .pattern(layerName, 'layerName', LAYER_NAME_PATTERN, LAYER_NAME_SHOWN)
      .throwIfInvalid();
    return parseLayerName(layerName, caller.accountId, caller.region)!;
  }

  /** Layers are published, deleted and shared only by their own account, in their own region. */
  private ownLayer(layerName: string, caller: Caller): LayerRef {
    const ref = this.layerRef(layerName, caller);
    if (ref.accountId !== caller.accountId || ref.region !== caller.region) {
      throw new AwsError('AccessDeniedException', `The layer ${layerArn(ref)} belongs to another account or region.`, 403);
    }
    return ref;
  }
}

interface ListQuery {
  compatibleRuntime?: string;
  compatibleArchitecture?: string;
  marker?: string;
  maxItems?: number;
}

function checkListQuery(query: ListQuery): void {
  new Validator()
    .range(query.maxItems, 'maxItems', 1, 50)
    .oneOf(query.compatibleRuntime, 'compatibleRuntime', KNOWN_RUNTIMES)
    .oneOf(query.compatibleArchitecture, 'compatibleArchitecture', ARCHITECTURES)
    .throwIfInvalid();
}

/** Versions compatible with the filters, oldest first. A filter matches only versions that declare it. */
function matching(versions: readonly LayerVersion[], query: ListQuery): LayerVersion[] {
  return versions.filter(
    (v) =>
      (query.compatibleRuntime === undefined || v.compatibleRuntimes.includes(query.compatibleRuntime)) &&
      (query.compatibleArchitecture === undefined || v.compatibleArchitectures.includes(query.compatibleArchitecture)),
  );
}

function listItem(layer: Layer, version: LayerVersion): LayerVersionsListItem & { Version: number } {
  return {
    LayerVersionArn: layerVersionArn(layer, version.version),
    Version: version.version,
    Description: version.description,
    CreatedDate: version.createdDate,
    ...(version.compatibleRuntimes.length > 0 ? { CompatibleRuntimes: version.compatibleRuntimes as LayerVersionsListItem['CompatibleRuntimes'] } : {}),
    ...(version.compatibleArchitectures.length > 0
      ? { CompatibleArchitectures: version.compatibleArchitectures as LayerVersionsListItem['CompatibleArchitectures'] }
      : {}),
    ...(version.licenseInfo !== undefined ? { LicenseInfo: version.licenseInfo } : {}),
  };
}

function versionNumberOf(text: string): number {
  new Validator().pattern(text, 'versionNumber', /^[0-9]{1,15}$/, 'a number').throwIfInvalid();
  return Number(text);
}

/** The layer version's policy document (GetLayerVersionPolicy, and the IAM evaluator's resource policy), if any. */
export function layerVersionPolicy(layer: Layer, version: LayerVersion): string | undefined {
  if (version.policy.length === 0) return undefined;
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: version.policy });
}

/**
 * Whether `accountId` may use the layer version: its own account always;
 * another through a statement for that account or for everyone. Statements
 * limited to an organization never match here (there are no organizations).
 */
function usableBy(layer: LayerRef, version: LayerVersion, accountId: string): boolean {
  if (layer.accountId === accountId) return true;
  return version.policy.some(
    (s) => !s.Condition && (s.Principal === '*' || s.Principal.AWS === `arn:aws:iam::${accountId}:root`),
  );
}
