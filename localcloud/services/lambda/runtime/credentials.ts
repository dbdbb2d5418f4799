import type { Principal } from '../../../auth/types.js';
import type { CloudContext } from '../../../core/types.js';
import type { IamProvider } from '../../iam/index.js';
import type { StsProvider } from '../../sts/index.js';
import { roleCannotBeAssumed } from '../api/errors.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface Cached {
  credentials: Credentials;
  /** When to ask again: before the session expires. */
  refreshAt: number;
}

const SESSION_SECONDS = 3600;
const LAMBDA = 'lambda.amazonaws.com';
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * Credentials for a function's environments: as on AWS, a session of the
 * function's execution role that Lambda obtains through the role's trust
 * policy (which must allow `lambda.amazonaws.com`). So whatever the function
 * does is decided by its role's policies, exactly as after `make deploy-aws`.
 *
 * With IAM off, a role that cannot be assumed falls back to the account's
 * root keys, as localcloud did before it enforced IAM.
 */
export class FunctionCredentials {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly ctx: CloudContext) {}

  /**
   * Throws Lambda's InvalidParameterValueException when the role cannot be
   * assumed (deleted, or its trust policy changed, since the function was
   * given it) and IAM is not off: the invocation fails as it does on AWS.
   */
  forRole(accountId: string, region: string, roleArn: string, sessionName: string): Credentials {
    const key = `${accountId}/${roleArn}`;
    const sts = this.ctx.service<StsProvider>('sts');
    const enforced = !!this.ctx.trust && this.ctx.trust.mode !== 'off';
    const cached = this.cache.get(key);
    // A cached session is only good while the role may still be assumed: checked for every new environment.
    if (cached && cached.refreshAt > Date.now() && (!enforced || !sts || sts.canAssume({ roleArn, servicePrincipal: LAMBDA }).allowed)) {
      return cached.credentials;
    }
    this.cache.delete(key);
    let entry: Cached;
    try {
      if (!sts) throw new Error('STS is not running');
      const issued = sts.assumeRoleForService({ roleArn, sessionName, servicePrincipal: LAMBDA, durationSeconds: SESSION_SECONDS });
      entry = {
        credentials: { accessKeyId: issued.AccessKeyId!, secretAccessKey: issued.SecretAccessKey!, sessionToken: issued.SessionToken },
        refreshAt: issued.Expiration!.getTime() - REFRESH_BEFORE_EXPIRY_MS,
      };
    } catch (err) {
      if (enforced) {
        this.ctx.log(`lambda: cannot run ${sessionName} as ${roleArn}: ${(err as Error).message}`);
        throw roleCannotBeAssumed();
      }
      entry = { credentials: this.ctx.clientConfig(region, accountId).credentials, refreshAt: Date.now() + 60_000 };
    }
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, entry);
    return entry.credentials;
  }
}

/**
 * The principal a function's role session acts as, for the work Lambda does
 * in-process with that role (event source mappings polling their stream).
 */
export function executionRolePrincipal(ctx: CloudContext, roleArn: string, functionName: string): Principal | undefined {
  const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]{1,64})$/.exec(roleArn);
  if (!match) return undefined;
  const role = ctx.service<IamProvider>('iam')?.role(match[1], match[2]);
  const sessionName = functionName.slice(0, 64);
  return {
    kind: 'assumed-role',
    accountId: match[1],
    arn: `arn:aws:sts::${match[1]}:assumed-role/${match[2]}/${sessionName}`,
    roleArn: role?.arn ?? roleArn,
    roleName: match[2],
    sessionName,
    userId: `${role?.id ?? 'AROAUNKNOWN'}:${sessionName}`,
  };
}
