import { EventEmitter } from 'node:events';
import type { TrustBoundary } from '../auth/index.js';
import type { Principal } from '../auth/types.js';
import type { CloudContext, ServiceProvider, TypedBus } from './types.js';

export const DEFAULT_ACCOUNT_ID = '000000000000';
export const DEFAULT_REGION = 'us-east-1';
/** The credentials localcloud's own components use when they call back into it. */
export const INTERNAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export class LocalCloudContext implements CloudContext {
  endpoint = '';
  trust?: TrustBoundary;
  readonly bus: TypedBus = new EventEmitter().setMaxListeners(0) as TypedBus;
  private readonly services = new Map<string, ServiceProvider>();

  constructor(
    readonly stateDir: string | undefined,
    readonly defaultAccountId: string,
    readonly defaultRegion: string,
    private readonly logger: (message: string) => void,
  ) {}

  register(service: ServiceProvider): void {
    this.services.set(service.name, service);
  }

  /** Derived from the credentials IAM and STS registered with the trust boundary: one record of every key. */
  accountForAccessKey(accessKeyId: string): string | undefined {
    return this.trust?.credentials.resolve(accessKeyId)?.principal.accountId;
  }

  service<T extends ServiceProvider = ServiceProvider>(name: string): T | undefined {
    return this.services.get(name) as T | undefined;
  }

  clientConfig(region = this.defaultRegion, accountId = this.defaultAccountId, actAs?: Principal) {
    const credentials =
      actAs && this.trust
        ? this.trust.credentials.delegate(actAs)
        : accountId === this.defaultAccountId
          ? { ...INTERNAL_CREDENTIALS }
          : { accessKeyId: accountId, secretAccessKey: INTERNAL_CREDENTIALS.secretAccessKey };
    return { endpoint: this.endpoint, region, credentials, forcePathStyle: true };
  }

  log(message: string): void {
    this.logger(message);
  }
}
