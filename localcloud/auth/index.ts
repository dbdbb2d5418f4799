import type { CloudContext } from '../core/types.js';
import { Authenticator } from './authenticator.js';
import { Authorizer } from './authorizer.js';
import { CredentialDirectory } from './credentials.js';
import type { IamMode } from './mode.js';
import { UsageRecorder } from './usage.js';

export type { IamMode } from './mode.js';
export type { Principal, RequiredPermission } from './types.js';

/**
 * localcloud's trust boundary: which keys exist (credentials), who signed a
 * request (authentication), whether IAM allows what it does (authorization),
 * and what every principal did (usage, for `localcloud iam report`).
 */
export class TrustBoundary {
  readonly credentials: CredentialDirectory;
  readonly usage = new UsageRecorder();
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;

  constructor(
    ctx: CloudContext,
    readonly mode: IamMode,
  ) {
    this.credentials = new CredentialDirectory(ctx.defaultAccountId);
    this.authenticator = new Authenticator(this.credentials, mode, ctx.defaultAccountId, (m) => ctx.log(m));
    this.authorizer = new Authorizer(ctx, mode, this.usage);
  }
}
