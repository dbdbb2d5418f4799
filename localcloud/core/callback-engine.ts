import { createRequire } from 'node:module';
import path from 'node:path';
import { AwsError } from './errors.js';

/**
 * What driving a callback-style storage engine in-process takes: dynalite
 * (DynamoDB) and kinesalite (Kinesis) share one layout, being by the same
 * author — a LevelDB store under `<package>/db`, one action and one
 * validation module per operation, a per-key lock, errors carrying an HTTP
 * status and a JSON body. Each service's `engine.ts` keeps what is its own.
 */

/** How the engines report a failure: an Error carrying the HTTP status and the JSON error body. */
export interface EngineError extends Error {
  statusCode?: number;
  body?: { __type?: string; message?: string; Message?: string };
}
export type EngineCallback<T = any> = (err: EngineError | null | undefined, result?: T) => void;
/** The engines' per-key lock: wraps the callback that ends the critical section so it also releases the lock. */
export type ReleaseLock = <F extends (...args: any[]) => void>(callback: F) => F;

/** A sublevel of the store that takes the engine's per-key lock. */
export interface LockingDb {
  lock(key: string, critical: (release: ReleaseLock) => void): void;
  put(key: string, value: unknown, callback: EngineCallback): void;
}

export interface OperationModule<Store> {
  action(store: Store, data: any, callback: EngineCallback): void;
  validation: { types: Record<string, unknown>; custom?: (data: any, store: Store) => unknown };
}

const require = createRequire(import.meta.url);

/** Requires a module of the engine package, e.g. `engineModule('kinesalite', 'db')`. */
export function engineModule<T>(packageName: string, module: string): T {
  return require(`${packageName}/${module}`) as T;
}

/** Requires a dependency of the engine package as the package itself resolves it (the same copy its modules use). */
export function engineDependency<T>(packageName: string, dependency: string): T {
  return require(require.resolve(dependency, { paths: [path.dirname(require.resolve(`${packageName}/package.json`))] })) as T;
}

/** Loads `<package>/actions/<op>` and `<package>/validations/<op>` (camel-cased) on first use of each operation. */
export function operationModules<Operation extends string, Store>(packageName: string): (operation: Operation) => OperationModule<Store> {
  const loaded = new Map<Operation, OperationModule<Store>>();
  return (operation) => {
    let module = loaded.get(operation);
    if (!module) {
      const file = operation[0].toLowerCase() + operation.slice(1);
      module = { action: require(`${packageName}/actions/${file}`), validation: require(`${packageName}/validations/${file}`) };
      loaded.set(operation, module);
    }
    return module;
  };
}

export const shuttingDown = (service: string) => new AwsError('ServiceUnavailable', `${service} is shutting down`, 503);

/**
 * The calls in flight on one engine: runs callback-style work as promises,
 * turns the engine's failures into AwsErrors, refuses new work once closing,
 * and lets `close` wait for what is still running.
 */
export class EngineCalls {
  private inFlight = 0;
  private closing?: Promise<void>;
  private onIdle?: () => void;

  constructor(
    /** The service's name in messages, e.g. `DynamoDB`. */
    private readonly service: string,
    /** The service's own code for its internal failures (`InternalServerError`, `InternalFailure`). */
    private readonly internalErrorCode: string,
  ) {}

  run<T>(start: (done: EngineCallback<T>) => void): Promise<T> {
    if (this.closing) return Promise.reject(shuttingDown(this.service));
    this.inFlight++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const done: EngineCallback<T> = (err, result) => {
        if (settled) return;
        settled = true;
        if (--this.inFlight === 0) this.onIdle?.();
        if (err) reject(this.toAwsError(err));
        else resolve((result ?? {}) as T);
      };
      try {
        start(done);
      } catch (err) {
        done(err as EngineError);
      }
    });
  }

  /**
   * Finishes what is running, lets the zero-delay timers with which the
   * engines finish status changes (CREATING → ACTIVE) and their writes land,
   * then closes the store. Later calls are refused with ServiceUnavailable.
   */
  close(closeStore: (callback: EngineCallback) => void): Promise<void> {
    this.closing ??= (async () => {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
      await new Promise((resolve) => setTimeout(resolve, 0));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve, reject) => closeStore((err) => (err ? reject(err) : resolve())));
    })();
    return this.closing;
  }

  /** The engines' error bodies carry namespaced types (`com.amazonaws.dynamodb.v20120810#...`); the code is the last part. */
  toAwsError(err: EngineError): AwsError {
    if (err instanceof AwsError) return err;
    if (err.statusCode && err.body?.__type) {
      const code = err.body.__type.slice(err.body.__type.lastIndexOf('#') + 1);
      return new AwsError(code, err.body.message ?? err.body.Message ?? '', err.statusCode);
    }
    return new AwsError(this.internalErrorCode, `${this.service} engine failure: ${err.message ?? String(err)}`, 500);
  }
}

/**
 * Read-modify-write of one stored record under the engine's own per-key
 * lock (the one its actions take), so the change cannot race them. A throw
 * from `change` fails the update and writes nothing.
 */
export function updateUnderLock<R>(
  db: LockingDb,
  key: string,
  read: (callback: EngineCallback<R>) => void,
  change: (record: R) => void,
  done: EngineCallback<R>,
): void {
  db.lock(key, (release) => {
    const finish = release(done);
    read((err, record) => {
      if (err || !record) return finish(err);
      try {
        change(record);
      } catch (changeErr) {
        return finish(changeErr as EngineError);
      }
      db.put(key, record, (putErr) => finish(putErr, record));
    });
  });
}

/** Polls until `reached` answers true, or gives up silently after `timeoutMs`: the engines settle within a timer tick. */
export async function waitBriefly(reached: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await reached()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** True once `read` fails with ResourceNotFoundException; other failures are thrown. */
export async function isGone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if (err instanceof AwsError && err.code === 'ResourceNotFoundException') return true;
    throw err;
  }
}
