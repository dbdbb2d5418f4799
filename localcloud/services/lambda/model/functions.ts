import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AwsError } from '../../../core/errors.js';
import { readJsonFile, writeJsonAtomic } from '../../../core/state-files.js';
import { isAliasQualifier, versionToInvoke, type FunctionAlias } from './aliases.js';
import { functionArn, type FunctionRef } from './names.js';

/** One immutable-once-published configuration of a function: `$LATEST` or a numbered version. */
export interface FunctionVersion {
  version: string;
  runtime: string;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  /** Base64 SHA-256 of the zip, as the API reports it. */
  codeSha256: string;
  /** Hex form of the same hash: names the zip and its extracted directory. */
  codeHash: string;
  codeSize: number;
  lastModified: string;
  /** Changes on every update; environments built from an older revision are retired. */
  revisionId: string;
  architectures: string[];
  ephemeralStorageSize: number;
  /** Layers, in order (later ones overwrite earlier ones' files under /opt); absent when none. */
  layers?: FunctionLayer[];
}

/**
 * A layer version a function version uses, with the content it had when the
 * function was configured: like AWS, the function keeps working after the
 * layer version is deleted.
 */
export interface FunctionLayer {
  arn: string;
  codeHash: string;
  codeSize: number;
}

/** A resource-policy statement as Lambda renders it in GetPolicy. */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: string | Record<string, string>;
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface LambdaFunction {
  accountId: string;
  region: string;
  name: string;
  latest: FunctionVersion;
  /** Published versions, oldest first. */
  versions: FunctionVersion[];
  lastPublishedVersion: number;
  policy: PolicyStatement[];
  policyRevisionId: string;
  tags: Record<string, string>;
  /** PutFunctionConcurrency: at most this many concurrent invocations (0 throttles every one). */
  reservedConcurrency?: number;
  /** Aliases by creation; absent in state written before aliases existed. */
  aliases?: FunctionAlias[];
}

export const LATEST = '$LATEST';

export function functionKey(ref: { accountId: string; region: string; name: string }): string {
  return `${ref.accountId}/${ref.region}/${ref.name}`;
}

/**
 * Every function of every account and region, written through to
 * `<stateDir>/lambda/functions/<account>/<region>/<name>.json` when the cloud
 * has a state directory. One small document per function keeps each write
 * atomic (temp file + rename) and independent of the others.
 */
export class FunctionStore {
  private readonly functions = new Map<string, LambdaFunction>();

  constructor(private readonly dir: string | undefined) {}

  load(): void {
    if (!this.dir) return;
    for (const file of walkJsonFiles(this.dir)) {
      const fn = readJsonFile<LambdaFunction>(file);
      if (fn) this.functions.set(functionKey(fn), fn);
    }
  }

  get(ref: FunctionRef): LambdaFunction | undefined {
    return this.functions.get(functionKey(ref));
  }

  /** The function, or Lambda's ResourceNotFoundException naming the ARN the caller meant. */
  require(ref: FunctionRef): LambdaFunction {
    const fn = this.get(ref);
    if (!fn) throw functionNotFound(ref);
    return fn;
  }

  list(accountId: string, region: string): LambdaFunction[] {
    return [...this.functions.values()]
      .filter((fn) => fn.accountId === accountId && fn.region === region)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  all(): LambdaFunction[] {
    return [...this.functions.values()];
  }

  /** Stores (or replaces) a function and writes it through. */
  save(fn: LambdaFunction): void {
    this.functions.set(functionKey(fn), fn);
    if (this.dir) writeJsonAtomic(this.fileFor(fn), fn);
  }

  delete(fn: LambdaFunction): void {
    this.functions.delete(functionKey(fn));
    if (this.dir) rmSync(this.fileFor(fn), { force: true });
  }

  private fileFor(fn: LambdaFunction): string {
    return path.join(this.dir!, fn.accountId, fn.region, `${fn.name}.json`);
  }
}

/**
 * The version a qualifier names: `$LATEST` (also when absent), a published
 * number, or an alias (the version it points to; see `versionToRun` for the
 * one an invocation through a weighted alias runs).
 */
export function resolveVersion(fn: LambdaFunction, qualifier: string | undefined): FunctionVersion {
  if (isAliasQualifier(qualifier)) return publishedOrLatest(fn, requireAlias(fn, qualifier).functionVersion, qualifier);
  return publishedOrLatest(fn, qualifier ?? LATEST, qualifier);
}

/** The version one invocation of `qualifier` runs: an alias with a routing configuration picks by weight. */
export function versionToRun(fn: LambdaFunction, qualifier: string | undefined, random?: number): FunctionVersion {
  if (!isAliasQualifier(qualifier)) return resolveVersion(fn, qualifier);
  return publishedOrLatest(fn, versionToInvoke(requireAlias(fn, qualifier), random), qualifier);
}

export function findAlias(fn: LambdaFunction, name: string): FunctionAlias | undefined {
  return fn.aliases?.find((alias) => alias.name === name);
}

/** Invoking or reading through an alias that does not exist: AWS names the alias ARN as the missing function. */
function requireAlias(fn: LambdaFunction, name: string): FunctionAlias {
  const alias = findAlias(fn, name);
  if (!alias) throw functionNotFound({ ...fn, qualifier: name });
  return alias;
}

/** `$LATEST` or a published version by number; missing ones are reported under the qualifier the caller gave. */
function publishedOrLatest(fn: LambdaFunction, version: string, askedFor: string | undefined): FunctionVersion {
  if (version === LATEST) return fn.latest;
  const found = fn.versions.find((v) => v.version === version);
  if (!found) throw functionNotFound({ ...fn, qualifier: askedFor ?? version });
  return found;
}

export function functionNotFound(ref: FunctionRef): AwsError {
  return new AwsError('ResourceNotFoundException', `Function not found: ${functionArn(ref, ref.qualifier)}`, 404);
}

function* walkJsonFiles(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walkJsonFiles(full);
    else if (entry.name.endsWith('.json')) yield full;
  }
}
