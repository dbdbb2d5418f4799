import type {
  AssumeRoleCommandOutput,
  Credentials,
  GetAccessKeyInfoCommandOutput,
  GetCallerIdentityCommandOutput,
  GetSessionTokenCommandOutput,
} from '@aws-sdk/client-sts';
import { AwsError } from '../../core/errors.js';
import type { CloudContext, ServiceRequest } from '../../core/types.js';
import type { QueryOperation } from '../../protocols/query.js';
import type { IamProvider } from '../iam/index.js';
import { parsePolicyDocument } from '../iam/policy-document.js';
import { issueSession, type Session, type SessionIdentity, type SessionStore } from './sessions.js';

type Output<T> = Omit<T, '$metadata'>;

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

const validationError = (message: string) => new AwsError('ValidationError', message, 400);
const accessDenied = (message: string) => new AwsError('AccessDenied', message, 403);

/** Who is calling: what GetCallerIdentity answers, and what AssumeRole names in its errors. */
interface Caller {
  accountId: string;
  arn: string;
  userId: string;
  session?: Session;
}

/**
 * STS over the query protocol. Identities come from the request's access
 * key: an STS session issued here, an IAM user's key, or else the account's
 * root (every other key, as on LocalStack).
 */
export function stsOperations(ctx: CloudContext, sessions: SessionStore): Record<string, QueryOperation> {
  const iam = () => ctx.service<IamProvider>('iam');

  function caller(req: ServiceRequest): Caller {
    const session = req.accessKeyId ? sessions.get(req.accessKeyId) : undefined;
    if (session) return { accountId: session.accountId, arn: session.arn, userId: session.userId, session };
    const key = req.accessKeyId ? iam()?.accessKey(req.accessKeyId) : undefined;
    if (key) return { accountId: key.accountId, arn: key.userArn, userId: key.userId };
    // Keys the cloud minted for a component acting on someone's behalf carry their principal.
    const principal = req.principal;
    if (principal?.kind === 'user' || principal?.kind === 'assumed-role') return { accountId: principal.accountId, arn: principal.arn, userId: principal.userId };
    return { accountId: req.accountId, arn: `arn:aws:iam::${req.accountId}:root`, userId: req.accountId };
  }

  const issue = (identity: SessionIdentity, durationSeconds: number): Credentials => issueSession(sessions, identity, durationSeconds);

  return {
    GetCallerIdentity(_input, req): Output<GetCallerIdentityCommandOutput> {
      const { accountId, arn, userId } = caller(req);
      return { UserId: userId, Account: accountId, Arn: arn };
    },

    AssumeRole(input, req): Output<AssumeRoleCommandOutput> {
      const who = caller(req);
      // stsParameterChecks.AssumeRole ran first: RoleArn and RoleSessionName are strings of the right shape.
      const roleArn: string = input.RoleArn;
      const sessionName: string = input.RoleSessionName;
      const duration = durationSeconds(input.DurationSeconds, 3600, 900, 43200);
      if (input.Policy !== undefined) parsePolicyDocument(input.Policy, 'identity', 'policy');

      const match = ROLE_ARN.exec(roleArn);
      const role = match ? iam()?.role(match[1], match[2]) : undefined;
      if (!match || !role || role.arn !== roleArn.replace(/^arn:aws[\w-]*:/, 'arn:aws:')) {
        throw accessDenied(`User: ${who.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
      }
      if (duration > role.maxSessionDuration) {
        throw validationError(
          `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
        );
      }
      const accountId = match[1];
      const assumedArn = `arn:aws:sts::${accountId}:assumed-role/${role.name}/${sessionName}`;
      const assumedId = `${role.id}:${sessionName}`;
      const credentials = issue({ accountId, arn: assumedArn, userId: assumedId, roleArn: role.arn, sessionPolicy: input.Policy }, duration);
      return {
        Credentials: credentials,
        AssumedRoleUser: { AssumedRoleId: assumedId, Arn: assumedArn },
        PackedPolicySize: input.Policy === undefined ? undefined : Math.min(100, Math.ceil(String(input.Policy).length / 20)),
        SourceIdentity: input.SourceIdentity,
      };
    },

    GetSessionToken(input, req): Output<GetSessionTokenCommandOutput> {
      const who = caller(req);
      if (who.session) throw accessDenied('Cannot call GetSessionToken with session credentials');
      const duration = durationSeconds(input.DurationSeconds, 43200, 900, 129600);
      return { Credentials: issue({ accountId: who.accountId, arn: who.arn, userId: who.userId }, duration) };
    },

    GetAccessKeyInfo(input, req): Output<GetAccessKeyInfoCommandOutput> {
      const id: string = input.AccessKeyId;
      const account = /^\d{12}$/.test(id) ? id : (ctx.accountForAccessKey?.(id) ?? req.accountId);
      return { Account: account };
    },
  };
}

/**
 * The modelled constraints of each action's parameters, which AWS checks
 * before authorizing the request (queryProtocol runs these first).
 */
export const stsParameterChecks: Record<string, (input: any) => void> = {
  AssumeRole(input) {
    const roleArn = input.RoleArn;
    if (typeof roleArn !== 'string' || roleArn.length < 20) {
      throw validationError(`1 validation error detected: Value '${String(roleArn ?? 'null')}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`);
    }
    const sessionName = input.RoleSessionName;
    if (typeof sessionName !== 'string' || !SESSION_NAME.test(sessionName)) {
      throw validationError(
        `1 validation error detected: Value '${String(sessionName ?? 'null')}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    durationSeconds(input.DurationSeconds, 3600, 900, 43200);
  },
  GetSessionToken(input) {
    durationSeconds(input.DurationSeconds, 43200, 900, 129600);
  },
  GetAccessKeyInfo(input) {
    const id = input.AccessKeyId;
    if (typeof id !== 'string' || id.length < 16) {
      throw validationError(`1 validation error detected: Value '${String(id ?? 'null')}' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16`);
    }
  },
};

function durationSeconds(value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw validationError(
      `1 validation error detected: Value '${String(value)}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${n < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
    );
  }
  return n;
}
