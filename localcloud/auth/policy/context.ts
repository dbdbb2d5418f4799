/**
 * The request context conditions and policy variables read: the caller's
 * keys, looked up case-insensitively, plus the keys IAM derives from the
 * principal and the clock when the caller did not set them.
 */
import type { Principal } from '../types.js';
import type { ContextValue } from './types.js';

export class RequestContext {
  private now: Date | undefined;

  constructor(
    private readonly principal: Principal,
    private readonly raw: Record<string, ContextValue>,
  ) {}

  /**
   * The value of a condition key. `key` is lower case; `asWritten` is the
   * policy's spelling, tried first because callers and policies mostly use
   * AWS's canonical spelling. Otherwise the caller's few keys are compared
   * case-insensitively, cheaper than building a lower-cased map per request.
   */
  get(key: string, asWritten?: string): ContextValue {
    const raw = this.raw;
    if (asWritten !== undefined && Object.hasOwn(raw, asWritten) && raw[asWritten] !== undefined) return raw[asWritten];
    for (const name in raw) {
      if (name.length === key.length && Object.hasOwn(raw, name) && raw[name] !== undefined && name.toLowerCase() === key) return raw[name];
    }
    return this.derived(key);
  }

  /** A policy variable's value (`key` in lower case): only single-valued keys can be variables. */
  variable(key: string): string | undefined {
    const value = this.get(key);
    return typeof value === 'string' ? value : undefined;
  }

  private derived(key: string): ContextValue {
    const p = this.principal;
    switch (key) {
      case 'aws:principalarn':
        return p.kind === 'assumed-role' ? p.roleArn : p.kind === 'user' || p.kind === 'root' ? p.arn : undefined;
      case 'aws:principalaccount':
        return p.accountId;
      case 'aws:principaltype':
        return { root: 'Account', user: 'User', 'assumed-role': 'AssumedRole', anonymous: 'Anonymous', service: undefined }[p.kind];
      case 'aws:username':
        return p.kind === 'user' ? p.userName : undefined;
      case 'aws:userid':
        return p.kind === 'user' || p.kind === 'assumed-role' ? p.userId : p.kind === 'root' ? p.accountId : p.kind === 'anonymous' ? 'anonymous' : undefined;
      case 'aws:principalservicename':
        return p.kind === 'service' ? p.service : undefined;
      case 'aws:currenttime':
        return this.clock().toISOString().replace(/\.\d{3}Z$/, 'Z');
      case 'aws:epochtime':
        return String(Math.floor(this.clock().getTime() / 1000));
      default:
        return undefined;
    }
  }

  private clock(): Date {
    return (this.now ??= new Date());
  }
}
