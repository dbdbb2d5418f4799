import type { ServiceProvider, ServiceState } from '../core/types.js';

/** What `/_localstack/health` reports for the cloud as a whole, next to each service's state. */
export const HEALTH_EDITION = 'localcloud';
export const HEALTH_VERSION = '0.1.0';

/** How long a request for a service that is still starting waits for it by default. */
export const DEFAULT_READINESS_WAIT_MS = 30_000;

/**
 * Each service's lifecycle as health reports it, and the gate requests pass
 * through while a service is starting.
 *
 * A service is `starting` from the moment its `start()` is called until it
 * settles: `running` once it resolves, `error` if it rejects. Loading state
 * from disk can take seconds (S3 reads every object's record), and the port is
 * already open then, because some services need the endpoint to start; so
 * health must tell the truth per service, and a request that arrives early
 * waits for its service instead of meeting a half-loaded one.
 */
export class ServiceReadiness {
  private readonly states = new Map<string, ServiceState>();
  private readonly settled = new Map<string, { promise: Promise<void>; resolve(): void }>();

  constructor(private readonly services: readonly ServiceProvider[]) {
    // The cloud starts its services right after it listens, so from the first request on they are starting.
    for (const service of services) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.states.set(service.name, 'starting');
      this.settled.set(service.name, { promise, resolve });
    }
  }

  /** Starts every service at once; rejects with the first failure, after recording every outcome. */
  async startAll(): Promise<void> {
    const outcomes = await Promise.allSettled(this.services.map((service) => this.start(service)));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async start(service: ServiceProvider): Promise<void> {
    try {
      await service.start?.();
      this.states.set(service.name, 'running');
    } catch (err) {
      this.states.set(service.name, 'error');
      throw err;
    } finally {
      this.settled.get(service.name)?.resolve();
    }
  }

  state(name: string): ServiceState {
    return this.states.get(name) ?? 'error';
  }

  /**
   * Resolves with the service's state once it is no longer starting, or with
   * `starting` if `timeoutMs` passes first. Running services answer at once.
   */
  async whenSettled(name: string, timeoutMs: number): Promise<ServiceState> {
    const current = this.state(name);
    if (current !== 'starting') return current;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([this.settled.get(name)?.promise, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    return this.state(name);
  }

  /** The body of `/_localstack/health`, in LocalStack's shape. */
  report(): { services: Record<string, ServiceState>; edition: string; version: string } {
    return { services: Object.fromEntries(this.states), edition: HEALTH_EDITION, version: HEALTH_VERSION };
  }
}
