import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../core/state-files.js';

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
