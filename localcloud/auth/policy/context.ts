/**
 * The request context conditions and policy variables read: the caller's
 * keys, looked up case-insensitively, plus the keys IAM derives from the
 * principal and the clock when the caller did not set them.
 */
import type { Principal } from '../types.js';
import type { ContextValue } from './types.js';

export class RequestContext {
  private keys: Map<string, ContextValue> | undefined;
  private now: Date | undefined;

  constructor(
    private readonly principal: Principal,
    private readonly raw: Record<string, ContextValue>,
  ) {}

  /** The value of a condition key; `key` is already lower case. */
  get(key: string): ContextValue {
    // Built on first use: most requests are decided by policies without conditions.
    if (this.keys === undefined) {
      this.keys = new Map();
      for (const [name, value] of Object.entries(this.raw)) {
        if (value !== undefined) this.keys.set(name.toLowerCase(), value);
      }
    }
    return this.keys.has(key) ? this.keys.get(key) : this.derived(key);
  }

  /** A policy variable's value: only single-valued keys can be variables. */
  readonly variable = (key: string): string | undefined => {
    const value = this.get(key);
    return typeof value === 'string' ? value : undefined;
  };

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
