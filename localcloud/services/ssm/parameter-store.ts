/**
 * The state of Parameter Store: per account and region, each parameter's
 * versions (oldest first, the newest is the current value) and its tags.
 * SecureString values are kept sealed (see secure-values.ts). Each account
 * and region is one JSON document under `<stateDir>/ssm/`, rewritten whole
 * and atomically on every change: parameters are small and change rarely.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ParameterTier, ParameterType } from '@aws-sdk/client-ssm';
import { readJsonFile, safePathSegment, writeJsonAtomic } from '../../core/state-files.js';

export interface ParameterVersion {
  version: number;
  /** The value as supplied, or sealed for a SecureString. */
  value: string;
  type: ParameterType;
  dataType: string;
  tier: ParameterTier;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  labels: string[];
  /** Epoch milliseconds. */
  lastModifiedDate: number;
  lastModifiedUser: string;
}

export interface StoredParameter {
  name: string;
  /** Oldest first; never empty. */
  versions: ParameterVersion[];
  tags: Record<string, string>;
}

export function currentVersion(parameter: StoredParameter): ParameterVersion {
  return parameter.versions[parameter.versions.length - 1]!;
}

interface ScopeDocument {
  accountId: string;
  region: string;
  parameters: StoredParameter[];
}

export class ParameterStore {
  private readonly scopes = new Map<string, Map<string, StoredParameter>>();

  constructor(private readonly dir?: string) {}

  load(): void {
    if (!this.dir || !existsSync(this.dir)) return;
    for (const file of readdirSync(this.dir)) {
      if (!file.endsWith('.json')) continue;
      const document = readJsonFile<ScopeDocument>(path.join(this.dir, file));
      if (!document) continue;
      const scope = this.scope(document.accountId, document.region);
      for (const parameter of document.parameters) scope.set(parameter.name, parameter);
    }
  }

  get(accountId: string, region: string, name: string): StoredParameter | undefined {
    return this.scope(accountId, region).get(name);
  }

  /** Every parameter of the account and region, sorted by name (the order pages are cut in). */
  list(accountId: string, region: string): StoredParameter[] {
    return [...this.scope(accountId, region).values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  put(accountId: string, region: string, parameter: StoredParameter): void {
    this.scope(accountId, region).set(parameter.name, parameter);
    this.changed(accountId, region);
  }

  delete(accountId: string, region: string, name: string): boolean {
    const deleted = this.scope(accountId, region).delete(name);
    if (deleted) this.changed(accountId, region);
    return deleted;
  }

  /** Persists the account and region after an in-place change. */
  changed(accountId: string, region: string): void {
    if (!this.dir) return;
    const document: ScopeDocument = { accountId, region, parameters: this.list(accountId, region) };
    writeJsonAtomic(path.join(this.dir, `${safePathSegment(accountId)}_${safePathSegment(region)}.json`), document);
  }

  private scope(accountId: string, region: string): Map<string, StoredParameter> {
    const key = `${accountId}/${region}`;
    let scope = this.scopes.get(key);
    if (!scope) this.scopes.set(key, (scope = new Map()));
    return scope;
  }
}

