import type {
  CreateFunctionRequest,
  FunctionConfiguration,
  GetAccountSettingsResponse,
  GetFunctionResponse,
  ListFunctionsResponse,
  ListVersionsByFunctionResponse,
  UpdateFunctionCodeRequest,
  UpdateFunctionConfigurationRequest,
} from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import type { CloudContext } from '../../../core/types.js';
import { isAliasQualifier } from '../model/aliases.js';
import type { CodeStore } from '../model/code-store.js';
import {
  LATEST,
  resolveVersion,
  type FunctionStore,
  type FunctionLayer,
  type FunctionVersion,
  type LambdaFunction,
} from '../model/functions.js';
import { functionArn, lambdaTimestamp, parseFunctionRef, type FunctionRef } from '../model/names.js';
import { RESERVED_VARIABLES } from '../runtime/environment-variables.js';
import { logGroupFor, type FunctionRuntime } from '../runtime/invoker.js';
import { aliasesPointingTo } from './aliases.js';
import { deploymentPackage, type WireCode } from './code-source.js';
import type { CodeUrls } from './code-urls.js';
import type { StsProvider } from '../../sts/index.js';
import { conflict, invalidParameter, notFound, preconditionFailed, roleCannotBeAssumed } from './errors.js';
import { assertRunnableRuntime } from './runtimes.js';
import { Validator } from './validation.js';

/** Who is asking: the account and region of the request's credentials. */
export interface Caller {
  accountId: string;
  region: string;
  endpoint: string;
}

type WireCreateFunction = Omit<CreateFunctionRequest, 'Code'> & { Code?: WireCode };
type WireUpdateCode = Omit<UpdateFunctionCodeRequest, 'ZipFile'> & WireCode;

const ROLE_PATTERN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const ROLE_PATTERN_SHOWN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';
const HANDLER_PATTERN = /^[^\s]+$/;
/** Lambda's limit on the serialized size of a function's environment variables. */
const MAX_ENVIRONMENT_BYTES = 4096;

/**
 * Function lifecycle operations (CreateFunction, GetFunction, ...), typed with
 * the SDK's own request and response shapes. They change the state model and
 * tell the runtime when environments become outdated; they never see HTTP.
 */
export class FunctionOperations {
  constructor(
    private readonly ctx: CloudContext,
    private readonly functions: FunctionStore,
    private readonly code: CodeStore,
    private readonly runtime: FunctionRuntime,
    private readonly codeUrls: CodeUrls,
    /** Checks a function's `Layers` and pins the content of each (see LayerOperations.functionLayers). */
    private readonly functionLayers: (arns: readonly string[], caller: Caller) => FunctionLayer[],
  ) {}

  async create(input: WireCreateFunction, caller: Caller): Promise<FunctionConfiguration> {
    const required = new Validator().required(input.FunctionName, 'functionName').required(input.Role, 'role').required(input.Code, 'code');
    checkConfiguration(required, input).throwIfInvalid();
    const ref = parseFunctionRef(input.FunctionName, caller.accountId, caller.region);
    if (ref.qualifier) throw invalidParameter('Function name cannot contain a qualifier when creating a function.');
    if (input.PackageType === 'Image') throw invalidParameter('localcloud runs zip deployment packages only; PackageType Image is not supported');
    if (!input.Runtime || !input.Handler) {
      throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
    }
    assertRunnableRuntime(input.Runtime);
    const environment = checkedEnvironment(input.Environment?.Variables);
    if (this.functions.get(ref)) throw conflict(`Function already exist: ${ref.name}`);
    const layers = this.functionLayers(input.Layers ?? [], caller);
    this.assertAssumable(input.Role!);

    const stored = await this.code.put(await deploymentPackage(this.ctx, input.Code, ref.accountId, ref.region));
    // Checked again: the code upload yielded, and names are unique.
    if (this.functions.get(ref)) throw conflict(`Function already exist: ${ref.name}`);
    const latest: FunctionVersion = {
      version: LATEST,
      runtime: input.Runtime,
      handler: input.Handler,
      role: input.Role!,
      description: input.Description ?? '',
      timeout: input.Timeout ?? 3,
      memorySize: input.MemorySize ?? 128,
      environment,
      codeSha256: stored.sha256,
      codeHash: stored.hash,
      codeSize: stored.size,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
      architectures: input.Architectures?.length ? [...input.Architectures] : ['x86_64'],
      ephemeralStorageSize: input.EphemeralStorage?.Size ?? 512,
      ...(layers.length > 0 ? { layers } : {}),
    };
    const fn: LambdaFunction = {
      accountId: ref.accountId,
      region: ref.region,
      name: ref.name,
      latest,
      versions: [],
      lastPublishedVersion: 0,
      policy: [],
      policyRevisionId: randomUUID(),
      tags: { ...(input.Tags ?? {}) },
    };
    const published = input.Publish ? publish(fn) : undefined;
    this.functions.save(fn);
    return toConfiguration(fn, published ?? latest);
  }

  get(rawName: string, qualifier: string | undefined, caller: Caller): GetFunctionResponse {
    const { fn, version, ref } = this.resolve(rawName, qualifier, caller);
    return {
      Configuration: toConfiguration(fn, version, false, aliasOf(ref)),
      Code: { RepositoryType: 'S3', Location: this.codeUrls.url(caller.endpoint, version.codeHash) },
      Tags: Object.keys(fn.tags).length > 0 ? { ...fn.tags } : undefined,
      Concurrency: fn.reservedConcurrency === undefined ? undefined : { ReservedConcurrentExecutions: fn.reservedConcurrency },
    };
  }

  getConfiguration(rawName: string, qualifier: string | undefined, caller: Caller): FunctionConfiguration {
    const { fn, version, ref } = this.resolve(rawName, qualifier, caller);
    return toConfiguration(fn, version, false, aliasOf(ref));
  }

  list(query: { marker?: string; maxItems?: number; allVersions: boolean }, caller: Caller): ListFunctionsResponse {
    new Validator().range(query.maxItems, 'maxItems', 1, 10000).throwIfInvalid();
    const all = this.functions
      .list(caller.accountId, caller.region)
      .flatMap((fn) =>
        query.allVersions
          ? [toConfiguration(fn, fn.latest, true), ...fn.versions.map((v) => toConfiguration(fn, v))]
          : [toConfiguration(fn, fn.latest)],
      );
    return paginate(all, query.marker, query.maxItems ?? 50, (items, next) => ({ Functions: items, NextMarker: next }));
  }

  listVersions(rawName: string, query: { marker?: string; maxItems?: number }, caller: Caller): ListVersionsByFunctionResponse {
    new Validator().range(query.maxItems, 'maxItems', 1, 10000).throwIfInvalid();
    const fn = this.functions.require(this.ref(rawName, caller));
    const all = [toConfiguration(fn, fn.latest, true), ...fn.versions.map((v) => toConfiguration(fn, v))];
    return paginate(all, query.marker, query.maxItems ?? 50, (items, next) => ({ Versions: items, NextMarker: next }));
  }

  publishVersion(rawName: string, input: { CodeSha256?: string; Description?: string; RevisionId?: string }, caller: Caller): FunctionConfiguration {
    const fn = this.functions.require(this.ref(rawName, caller));
    if (input.RevisionId && input.RevisionId !== fn.latest.revisionId) throw preconditionFailed();
    if (input.CodeSha256 && input.CodeSha256 !== fn.latest.codeSha256) {
      throw invalidParameter(`CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`);
    }
    const version = publish(fn, input.Description);
    this.functions.save(fn);
    return toConfiguration(fn, version);
  }

  async updateCode(rawName: string, input: WireUpdateCode, caller: Caller): Promise<FunctionConfiguration> {
    const fn = this.functions.require(this.ref(rawName, caller));
    if (input.RevisionId && input.RevisionId !== fn.latest.revisionId) throw preconditionFailed();
    if (input.Architectures?.length) {
      new Validator().oneOf(input.Architectures[0], 'architectures', ['x86_64', 'arm64']).throwIfInvalid();
    }
    const stored = await this.code.put(await deploymentPackage(this.ctx, input, fn.accountId, fn.region));
    if (input.DryRun) return toConfiguration(fn, { ...fn.latest, codeSha256: stored.sha256, codeSize: stored.size });
    const current = this.functions.require(fn);
    current.latest = {
      ...current.latest,
      codeSha256: stored.sha256,
      codeHash: stored.hash,
      codeSize: stored.size,
      architectures: input.Architectures?.length ? [...input.Architectures] : current.latest.architectures,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
    };
    const published = input.Publish ? publish(current) : undefined;
    this.functions.save(current);
    // New invocations get environments with the new code; in-flight ones finish on the old.
    this.runtime.retire(current, LATEST, current.latest.revisionId);
    return toConfiguration(current, published ?? current.latest);
  }

  updateConfiguration(rawName: string, input: UpdateFunctionConfigurationRequest, caller: Caller): FunctionConfiguration {
    const fn = this.functions.require(this.ref(rawName, caller));
    checkConfiguration(new Validator(), input).throwIfInvalid();
    if (input.RevisionId && input.RevisionId !== fn.latest.revisionId) throw preconditionFailed();
    if (input.Runtime) assertRunnableRuntime(input.Runtime);
    const environment = input.Environment ? checkedEnvironment(input.Environment.Variables) : fn.latest.environment;
    // Layers replace the list when given; an empty list removes them all.
    const layers = input.Layers != null ? this.functionLayers(input.Layers, caller) : fn.latest.layers;
    if (input.Role !== undefined) this.assertAssumable(input.Role);
    fn.latest = {
      ...fn.latest,
      runtime: input.Runtime ?? fn.latest.runtime,
      handler: input.Handler ?? fn.latest.handler,
      role: input.Role ?? fn.latest.role,
      description: input.Description ?? fn.latest.description,
      timeout: input.Timeout ?? fn.latest.timeout,
      memorySize: input.MemorySize ?? fn.latest.memorySize,
      ephemeralStorageSize: input.EphemeralStorage?.Size ?? fn.latest.ephemeralStorageSize,
      environment,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
    };
    if (layers && layers.length > 0) fn.latest.layers = layers;
    else delete fn.latest.layers;
    this.functions.save(fn);
    this.runtime.retire(fn, LATEST, fn.latest.revisionId);
    return toConfiguration(fn, fn.latest);
  }

  /** PutFunctionConcurrency: caps concurrent invocations (and so environments); 0 throttles the function. */
  putConcurrency(rawName: string, input: { ReservedConcurrentExecutions?: number }, caller: Caller): { ReservedConcurrentExecutions: number } {
    new Validator()
      .required(input.ReservedConcurrentExecutions, 'reservedConcurrentExecutions')
      .range(input.ReservedConcurrentExecutions, 'reservedConcurrentExecutions', 0, 1000)
      .throwIfInvalid();
    const fn = this.functions.require(this.ref(rawName, caller));
    fn.reservedConcurrency = input.ReservedConcurrentExecutions!;
    this.functions.save(fn);
    return { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }

  getConcurrency(rawName: string, caller: Caller): { ReservedConcurrentExecutions?: number } {
    const fn = this.functions.require(this.ref(rawName, caller));
    return fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }

  deleteConcurrency(rawName: string, caller: Caller): void {
    const fn = this.functions.require(this.ref(rawName, caller));
    delete fn.reservedConcurrency;
    this.functions.save(fn);
  }

  delete(rawName: string, qualifier: string | undefined, caller: Caller): void {
    const ref = this.ref(rawName, caller, qualifier);
    const fn = this.functions.require(ref);
    if (ref.qualifier === LATEST) throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (isAliasQualifier(ref.qualifier)) {
      throw invalidParameter('Deletion of aliases is not supported by DeleteFunction; use DeleteAlias.');
    }
    if (ref.qualifier) {
      resolveVersion(fn, ref.qualifier);
      const aliases = aliasesPointingTo(fn, ref.qualifier);
      if (aliases.length > 0) {
        throw conflict(`Unable to delete version because the following aliases reference it: [${aliases.join(', ')}]`);
      }
      fn.versions = fn.versions.filter((v) => v.version !== ref.qualifier);
      this.functions.save(fn);
      this.runtime.removeVersion(fn, ref.qualifier);
      return;
    }
    this.functions.delete(fn);
    this.runtime.removeFunction(fn);
  }

  /** ListTags: functions are the only taggable resource here. */
  listTags(arn: string, caller: Caller): Record<string, string> {
    return { ...this.tagged(arn, caller).tags };
  }

  tag(arn: string, tags: Record<string, string> | undefined, caller: Caller): void {
    const fn = this.tagged(arn, caller);
    fn.tags = { ...fn.tags, ...(tags ?? {}) };
    this.functions.save(fn);
  }

  untag(arn: string, keys: string[], caller: Caller): void {
    const fn = this.tagged(arn, caller);
    for (const key of keys) delete fn.tags[key];
    this.functions.save(fn);
  }

  accountSettings(caller: Caller): GetAccountSettingsResponse {
    return {
      AccountLimit: {
        TotalCodeSize: 80530636800,
        CodeSizeUnzipped: 262144000,
        CodeSizeZipped: 52428800,
        ConcurrentExecutions: 1000,
        UnreservedConcurrentExecutions: 1000,
      },
      AccountUsage: { TotalCodeSize: 0, FunctionCount: this.functions.list(caller.accountId, caller.region).length },
    };
  }

  /** Resolves a function and the version a qualifier (in the name or the query) selects. */
  resolve(rawName: string, qualifier: string | undefined, caller: Caller): { fn: LambdaFunction; version: FunctionVersion; ref: FunctionRef } {
    const ref = this.ref(rawName, caller, qualifier);
    const fn = this.functions.require(ref);
    return { fn, version: resolveVersion(fn, ref.qualifier), ref };
  }

  ref(rawName: string, caller: Caller, qualifier?: string): FunctionRef {
    const ref = parseFunctionRef(rawName, caller.accountId, caller.region);
    if (qualifier !== undefined && qualifier !== '') {
      if (ref.qualifier && ref.qualifier !== qualifier) {
        throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
      }
      ref.qualifier = qualifier;
    }
    return ref;
  }

  /**
   * As AWS does when a function is given a role: the role must exist and
   * trust Lambda, or the request is refused. Not checked with IAM off, where
   * functions without a usable role run with the account's root keys.
   */
  private assertAssumable(roleArn: string): void {
    if (!this.ctx.trust || this.ctx.trust.mode === 'off') return;
    const check = this.ctx.service<StsProvider>('sts')?.canAssume({ roleArn, servicePrincipal: 'lambda.amazonaws.com' });
    if (check && !check.allowed) {
      this.ctx.log(`lambda: refusing role ${roleArn}: ${check.message}`);
      throw roleCannotBeAssumed();
    }
  }

  private tagged(arn: string, caller: Caller): LambdaFunction {
    const fn = this.functions.get(parseFunctionRef(arn, caller.accountId, caller.region));
    if (!fn) throw notFound(`Function not found: ${arn}`);
    return fn;
  }
}

/**
 * The API's view of a function version; read through an alias, the ARN is the
 * alias' (and `Version` the version it points to), as Lambda answers.
 */
export function toConfiguration(fn: LambdaFunction, v: FunctionVersion, qualifyLatest = false, alias?: string): FunctionConfiguration {
  const qualified = v.version !== LATEST || qualifyLatest;
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(fn, alias ?? (qualified ? v.version : undefined)),
    Runtime: v.runtime as FunctionConfiguration['Runtime'],
    Role: v.role,
    Handler: v.handler,
    CodeSize: v.codeSize,
    Description: v.description,
    Timeout: v.timeout,
    MemorySize: v.memorySize,
    LastModified: v.lastModified,
    CodeSha256: v.codeSha256,
    Version: v.version,
    Environment: Object.keys(v.environment).length > 0 ? { Variables: { ...v.environment } } : undefined,
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: v.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: v.architectures as FunctionConfiguration['Architectures'],
    EphemeralStorage: { Size: v.ephemeralStorageSize },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: logGroupFor(fn) },
    ...(v.layers?.length ? { Layers: v.layers.map((layer) => ({ Arn: layer.arn, CodeSize: layer.codeSize })) } : {}),
  };
}

/** The alias a reference names, if its qualifier is one. */
function aliasOf(ref: FunctionRef): string | undefined {
  return isAliasQualifier(ref.qualifier) ? ref.qualifier : undefined;
}

/** The constraints on configuration that CreateFunction and UpdateFunctionConfiguration share. */
function checkConfiguration(
  v: Validator,
  input: Pick<UpdateFunctionConfigurationRequest, 'Role' | 'Handler' | 'Description' | 'Timeout' | 'MemorySize' | 'EphemeralStorage'>,
): Validator {
  return v
    .pattern(input.Role, 'role', ROLE_PATTERN, ROLE_PATTERN_SHOWN)
    .length(input.Handler, 'handler', 0, 128)
    .pattern(input.Handler, 'handler', HANDLER_PATTERN, '[^\\s]+')
    .length(input.Description, 'description', 0, 256)
    .range(input.Timeout, 'timeout', 1, 900)
    .range(input.MemorySize, 'memorySize', 128, 10240)
    .range(input.EphemeralStorage?.Size, 'ephemeralStorage.size', 512, 10240);
}

/** Publishes $LATEST as a new numbered version, unless the newest version already is $LATEST as it stands. */
function publish(fn: LambdaFunction, description?: string): FunctionVersion {
  const newest = fn.versions[fn.versions.length - 1];
  if (newest && sameDeployment(newest, fn.latest)) return newest;
  fn.lastPublishedVersion += 1;
  const version: FunctionVersion = {
    ...fn.latest,
    environment: { ...fn.latest.environment },
    version: String(fn.lastPublishedVersion),
    description: description ?? fn.latest.description,
    revisionId: randomUUID(),
    lastModified: lambdaTimestamp(),
  };
  fn.versions.push(version);
  return version;
}

function sameDeployment(a: FunctionVersion, b: FunctionVersion): boolean {
  return (
    a.codeSha256 === b.codeSha256 &&
    a.runtime === b.runtime &&
    a.handler === b.handler &&
    a.role === b.role &&
    a.timeout === b.timeout &&
    a.memorySize === b.memorySize &&
    JSON.stringify(a.environment) === JSON.stringify(b.environment) &&
    JSON.stringify(a.layers ?? []) === JSON.stringify(b.layers ?? [])
  );
}

function checkedEnvironment(variables: Record<string, string> | undefined): Record<string, string> {
  const env = { ...(variables ?? {}) };
  const reserved = Object.keys(env).filter((k) => RESERVED_VARIABLES.has(k));
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  for (const [key, value] of Object.entries(env)) {
    new Validator()
      .check(/^[a-zA-Z]([a-zA-Z0-9_])*$/.test(key), 'environment.variables', key, 'Map keys must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+')
      .throwIfInvalid();
    if (typeof value !== 'string') throw invalidParameter(`Environment variable ${key} must be a string`);
  }
  const serialized = JSON.stringify(env);
  if (Buffer.byteLength(serialized) > MAX_ENVIRONMENT_BYTES) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${serialized}`,
    );
  }
  return env;
}

/** Opaque markers are offsets into the (stable, name-sorted) listing. */
export function paginate<T, R>(items: T[], marker: string | undefined, maxItems: number, build: (items: T[], next?: string) => R): R {
  let start = 0;
  if (marker) {
    const decoded = Number(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidParameter(`Invalid marker: ${marker}`);
    start = decoded;
  }
  const page = items.slice(start, start + maxItems);
  const next = start + maxItems < items.length ? Buffer.from(String(start + maxItems)).toString('base64url') : undefined;
  return build(page, next);
}
