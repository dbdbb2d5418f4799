import path from 'node:path';
import type { Credentials } from '@aws-sdk/client-sts';
import type { Principal } from '../../auth/types.js';
import { readJsonFile, writeJsonAtomic } from '../../core/state-files.js';
import { accessKeyId, secretAccessKey, sessionToken } from '../iam/ids.js';

/** Temporary credentials STS handed out, and whose identity they carry. */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  /** ISO 8601. */
  expiration: string;
  /** The identity GetCallerIdentity reports for these credentials. */
  arn: string;
  userId: string;
  /** AssumeRole sessions: the role, for a policy evaluator. */
  roleArn?: string;
  /** The inline session policy passed to AssumeRole, as sent. */
  sessionPolicy?: string;
}

/** Expired sessions are kept this long, so late callers still resolve to their account. */
const GRACE_MS = 24 * 3600 * 1000;

/**
 * Issued sessions by access key id; persisted as one JSON document under
 * `<stateDir>/sts/` (replaced atomically), so credentials a Lambda
 * environment holds stay valid across a restart.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly dir: string | undefined) {}

  load(): void {
    if (!this.dir) return;
    const saved = readJsonFile<Session[]>(this.file()) ?? [];
    for (const session of saved) this.sessions.set(session.accessKeyId, session);
    this.forgetExpired();
  }

  add(session: Session): void {
    this.forgetExpired();
    this.sessions.set(session.accessKeyId, session);
    this.save();
  }

  get(accessKeyId: string): Session | undefined {
    return this.sessions.get(accessKeyId);
  }

  private forgetExpired(): void {
    const cutoff = Date.now() - GRACE_MS;
    for (const [id, session] of this.sessions) if (Date.parse(session.expiration) < cutoff) this.sessions.delete(id);
  }

  private save(): void {
    if (this.dir) writeJsonAtomic(this.file(), [...this.sessions.values()]);
  }

  private file(): string {
    return path.join(this.dir!, 'sessions.json');
  }
}

/**
 * Who a session acts as: a role session for AssumeRole; for GetSessionToken,
 * the user (or account root) that asked for it, as on AWS.
 */
export function sessionPrincipal(session: Session): Principal {
  if (session.roleArn) {
    const sessionName = session.arn.slice(session.arn.lastIndexOf('/') + 1);
    const roleName = session.roleArn.slice(session.roleArn.lastIndexOf('/') + 1);
    return {
      kind: 'assumed-role',
      accountId: session.accountId,
      arn: session.arn,
      roleArn: session.roleArn,
      roleName,
      sessionName,
      userId: session.userId,
      sessionPolicy: session.sessionPolicy,
    };
  }
  const user = /^arn:aws[\w-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(session.arn);
  if (user) return { kind: 'user', accountId: session.accountId, arn: session.arn, userName: user[1], userId: session.userId };
  return { kind: 'root', accountId: session.accountId, arn: `arn:aws:iam::${session.accountId}:root` };
}

/** Who a new session will act as: everything but its keys and lifetime. */
export type SessionIdentity = Omit<Session, 'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'expiration'>;

/** Mints temporary credentials for `identity`, valid for `durationSeconds`, and remembers them. */
export function issueSession(sessions: SessionStore, identity: SessionIdentity, durationSeconds: number): Credentials {
  const session: Session = {
    ...identity,
    accessKeyId: accessKeyId('ASIA'),
    secretAccessKey: secretAccessKey(),
    sessionToken: sessionToken(),
    expiration: new Date(Date.now() + durationSeconds * 1000).toISOString(),
  };
  sessions.add(session);
  return {
    AccessKeyId: session.accessKeyId,
    SecretAccessKey: session.secretAccessKey,
    SessionToken: session.sessionToken,
    Expiration: new Date(session.expiration),
  };
}
