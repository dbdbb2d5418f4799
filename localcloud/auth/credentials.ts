import { randomBytes } from 'node:crypto';
import type { Principal } from './types.js';

/** What the cloud knows about an access key it can verify requests against. */
export interface IssuedCredential {
  principal: Principal;
  /** Undefined for the account-root conventions, whose secret is not checked (see README, Security). */
  secretAccessKey?: string;
  /** Temporary credentials (STS) must come with their session token. */
  sessionToken?: string;
  /** Temporary credentials stop working after this. */
  expiration?: Date;
  /** IAM access keys can be made inactive. */
  active: boolean;
}

/** A service that issues credentials (IAM, STS) answers for its own keys, or undefined. */
export type CredentialSource = (accessKeyId: string) => IssuedCredential | undefined;

/** The secret localcloud's own components sign with for the account roots (LocalStack's `test`). */
export const ROOT_SECRET = 'test';
/** Access key id of the default account's root, as every local AWS tool configures it. */
export const DEFAULT_ROOT_KEY = 'test';

/** Prefix of keys minted for components acting as someone else (CloudFormation as the caller). */
const DELEGATED_PREFIX = 'LCDA';
/** Delegations are cached per principal; a cloud that acts as thousands of principals keeps at most this many. */
const MAX_DELEGATIONS = 1000;

/**
 * Every access key the cloud accepts, in the order AWS would resolve them:
 * keys issued by IAM and STS (verified against their secrets), keys the cloud
 * minted for its own components acting on someone's behalf, then the root
 * conventions every local tool uses: `test` is the default account's root and
 * a 12-digit key is the root of that account. Any other key is unknown.
 */
export class CredentialDirectory {
  private readonly sources: CredentialSource[] = [];
  private readonly delegated = new Map<string, { accessKeyId: string; secretAccessKey: string; principal: Principal }>();
  private readonly delegatedByKey = new Map<string, { secretAccessKey: string; principal: Principal }>();

  constructor(private readonly defaultAccountId: string) {}

  addSource(source: CredentialSource): void {
    this.sources.push(source);
  }

  resolve(accessKeyId: string): IssuedCredential | undefined {
    for (const source of this.sources) {
      const found = source(accessKeyId);
      if (found) return found;
    }
    const delegated = this.delegatedByKey.get(accessKeyId);
    if (delegated) return { principal: delegated.principal, secretAccessKey: delegated.secretAccessKey, active: true };
    const rootAccount = accessKeyId === DEFAULT_ROOT_KEY ? this.defaultAccountId : /^\d{12}$/.test(accessKeyId) ? accessKeyId : undefined;
    if (rootAccount) return { principal: rootPrincipal(rootAccount), active: true };
    return undefined;
  }

  /**
   * Credentials that act as `principal`, for a component that calls the
   * cloud's public API on someone's behalf (CloudFormation deploying as the
   * caller). They live as long as the process and are never persisted: after
   * a restart a component asks again.
   */
  delegate(principal: Principal): { accessKeyId: string; secretAccessKey: string } {
    if (principal.kind === 'root') {
      const accessKeyId = principal.accountId === this.defaultAccountId ? DEFAULT_ROOT_KEY : principal.accountId;
      return { accessKeyId, secretAccessKey: ROOT_SECRET };
    }
    const cacheKey = `${principal.kind}:${principal.arn}`;
    let found = this.delegated.get(cacheKey);
    if (!found) {
      if (this.delegated.size >= MAX_DELEGATIONS) {
        const [oldestKey, oldest] = this.delegated.entries().next().value!;
        this.delegated.delete(oldestKey);
        this.delegatedByKey.delete(oldest.accessKeyId);
      }
      found = {
        accessKeyId: DELEGATED_PREFIX + randomBytes(8).toString('hex').toUpperCase(),
        secretAccessKey: randomBytes(30).toString('base64'),
        principal,
      };
      this.delegated.set(cacheKey, found);
      this.delegatedByKey.set(found.accessKeyId, { secretAccessKey: found.secretAccessKey, principal });
    }
    return { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey };
  }
}

export function rootPrincipal(accountId: string): Principal {
  return { kind: 'root', accountId, arn: `arn:aws:iam::${accountId}:root` };
}
