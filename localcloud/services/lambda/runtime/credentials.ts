import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { CloudContext } from '../../../core/types.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface Cached {
  credentials: Credentials;
  /** When to ask again: before the session expires, or soon after STS failed. */
  refreshAt: number;
}

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const RETRY_STS_AFTER_MS = 60_000;

/**
 * Credentials for a function's environments. On AWS they are a session of the
 * function's execution role; here too when localcloud's STS answers
 * AssumeRole, so whatever IAM later enforces sees the role. Until then (or if
 * STS refuses), fixed test keys that resolve to the function's account.
 */
export class FunctionCredentials {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly ctx: CloudContext) {}

  async forRole(accountId: string, region: string, roleArn: string, sessionName: string): Promise<Credentials> {
    const key = `${accountId}/${roleArn}`;
    const cached = this.cache.get(key);
    if (cached && cached.refreshAt > Date.now()) return cached.credentials;
    let entry: Cached;
    try {
      entry = await this.assumeRole(accountId, region, roleArn, sessionName);
    } catch {
      // Fixed keys of the function's account: `test` for the default account, the account id itself otherwise.
      entry = { credentials: this.ctx.clientConfig(region, accountId).credentials, refreshAt: Date.now() + RETRY_STS_AFTER_MS };
    }
    this.cache.set(key, entry);
    return entry.credentials;
  }

  private async assumeRole(accountId: string, region: string, roleArn: string, sessionName: string): Promise<Cached> {
    const { endpoint, credentials } = this.ctx.clientConfig(region, accountId);
    const client = new STSClient({ endpoint, region, credentials, maxAttempts: 1 });
    try {
      const { Credentials: issued } = await client.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName.slice(0, 64), DurationSeconds: 3600 }),
      );
      if (!issued?.AccessKeyId || !issued.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
      const expires = issued.Expiration ? issued.Expiration.getTime() : Date.now() + 3_600_000;
      return {
        credentials: { accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken },
        refreshAt: expires - REFRESH_BEFORE_EXPIRY_MS,
      };
    } finally {
      client.destroy();
    }
  }
}
