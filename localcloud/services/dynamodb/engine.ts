import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AwsError } from '../../core/errors.js';

/**
 * dynalite (github.com/architect/dynalite) as an in-process engine.
 *
 * dynalite ships as an HTTP server, but its front door does things we cannot
 * have inside the local cloud: it reads the account and region once from
 * process.env, throws from callbacks on storage errors (which would take the
 * whole process down), and only closes its LevelDB handle if its server was
 * listening. So we drive the layers below the front door directly — its
 * LevelDB store, its request validations and its actions, exactly as its own
 * handler calls them — and keep the HTTP side to the gateway.
 */

const require = createRequire(import.meta.url);

/** Operations dynalite implements (one module each under dynalite/actions and dynalite/validations). */
export const DYNALITE_OPERATIONS = [
  'BatchGetItem', 'BatchWriteItem', 'CreateTable', 'DeleteItem', 'DeleteTable', 'DescribeTable',
  'DescribeTimeToLive', 'GetItem', 'ListTables', 'ListTagsOfResource', 'PutItem', 'Query', 'Scan',
  'TagResource', 'UntagResource', 'UpdateItem', 'UpdateTable',
] as const;
export type DynaliteOperation = (typeof DYNALITE_OPERATIONS)[number];

/** How dynalite reports a failure: an Error carrying the HTTP status and the JSON error body. */
interface EngineError extends Error {
  statusCode?: number;
  body?: { __type?: string; message?: string; Message?: string };
}
type Callback<T = any> = (err: EngineError | null | undefined, result?: T) => void;
type ReleaseLock = <F extends (...args: any[]) => void>(callback: F) => F;

interface TableDb {
  awsAccountId: string;
  awsRegion: string;
  lock(key: string, critical: (release: ReleaseLock) => void): void;
  put(key: string, value: unknown, callback: Callback): void;
}

interface Store {
  db: { open(): Promise<void>; close(callback: Callback): void };
  tableDb: TableDb;
  getTable(name: string, checkStatus: boolean, callback: Callback<TableRecord>): void;
}

/** A table as dynalite stores it: the TableDescription plus whatever we keep next to it. */
export type TableRecord = Record<string, any> & { TableName: string; TableStatus: string };

interface OperationModule {
  action(store: Store, data: any, callback: Callback): void;
  validation: { types: Record<string, unknown>; custom?: (data: any, store: Store) => unknown };
}

const dynaliteDb: { create(options: Record<string, unknown>): Store } = require('dynalite/db');
const validations: {
  checkTypes(data: any, types: Record<string, unknown>): any;
  checkValidations(data: any, types: Record<string, unknown>, custom: unknown, store: Store): void;
} = require('dynalite/validations');

const operationModules = new Map<DynaliteOperation, OperationModule>();

function operationModule(operation: DynaliteOperation): OperationModule {
  let module = operationModules.get(operation);
  if (!module) {
    const file = operation[0].toLowerCase() + operation.slice(1);
    module = { action: require(`dynalite/actions/${file}`), validation: require(`dynalite/validations/${file}`) };
    operationModules.set(operation, module);
  }
  return module;
}

export interface DynaliteEngineOptions {
  /** LevelDB directory; omit for an in-memory engine. */
  path?: string;
  accountId: string;
  region: string;
}

export class DynaliteEngine {
  private inFlight = 0;
  private closing?: Promise<void>;
  private onIdle?: () => void;

  private constructor(
    private readonly store: Store,
    readonly location: string,
  ) {}

  /** Opens (or creates) the engine's store; fails with a clear message when another process holds the LevelDB lock. */
  static async open(options: DynaliteEngineOptions): Promise<DynaliteEngine> {
    if (options.path) mkdirSync(options.path, { recursive: true });
    // Tables become ACTIVE (and go away) at once: nothing local is worth waiting for.
    const store = dynaliteDb.create({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    // dynalite builds table ARNs from these; its own default comes from process.env.
    store.tableDb.awsAccountId = options.accountId;
    store.tableDb.awsRegion = options.region;
    const location = options.path ?? `memory (${options.accountId}/${options.region})`;
    try {
      await store.db.open();
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new Error(`cannot open the DynamoDB store in ${location}: ${cause} (is another localcloud using the same state directory?)`);
    }
    return new DynaliteEngine(store, location);
  }

  /** Validates `input` the way DynamoDB does and runs the operation; failures come back as AwsErrors. */
  call<T = any>(operation: DynaliteOperation, input: Record<string, unknown>): Promise<T> {
    const { action, validation } = operationModule(operation);
    return this.run<T>((done) => {
      const data = validations.checkTypes(input, validation.types);
      validations.checkValidations(data, validation.types, validation.custom, this.store);
      action(this.store, data, done);
    });
  }

  /** The stored table, or ResourceNotFoundException. */
  readTable(tableName: string): Promise<TableRecord> {
    return this.run((done) => this.store.getTable(tableName, false, done));
  }

  /** Waits (briefly: dynalite finishes on a zero-delay timer) until a created or updated table is ACTIVE. */
  async untilActive(tableName: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.readTable(tableName)).TableStatus !== 'ACTIVE' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Waits (briefly, as above) until a deleted table is gone. */
  async untilDeleted(tableName: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        await this.readTable(tableName);
      } catch (err) {
        if (err instanceof AwsError && err.code === 'ResourceNotFoundException') return;
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Changes a stored table under dynalite's own per-table lock, so it cannot race UpdateTable. */
  updateTable(tableName: string, change: (table: TableRecord) => void): Promise<TableRecord> {
    const tableDb = this.store.tableDb;
    return this.run((done) => {
      tableDb.lock(tableName, (release) => {
        const finish = release(done);
        this.store.getTable(tableName, false, (err, table) => {
          if (err || !table) return finish(err);
          try {
            change(table);
          } catch (changeErr) {
            return finish(changeErr as EngineError);
          }
          tableDb.put(tableName, table, (putErr) => finish(putErr, table));
        });
      });
    });
  }

  /** Finishes what is running, lets zero-delay status changes (CREATING → ACTIVE) land, then closes LevelDB. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
      await new Promise((resolve) => setTimeout(resolve, 0));
      await new Promise<void>((resolve, reject) => this.store.db.close((err) => (err ? reject(err) : resolve())));
    })();
    return this.closing;
  }

  private run<T>(start: (done: Callback<T>) => void): Promise<T> {
    if (this.closing) return Promise.reject(new AwsError('ServiceUnavailable', 'DynamoDB is shutting down', 503));
    this.inFlight++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const done: Callback<T> = (err, result) => {
        if (settled) return;
        settled = true;
        if (--this.inFlight === 0) this.onIdle?.();
        if (err) reject(fromEngineError(err));
        else resolve((result ?? {}) as T);
      };
      try {
        start(done);
      } catch (err) {
        done(err as EngineError);
      }
    });
  }
}

/** dynalite's error bodies carry namespaced types (`com.amazonaws.dynamodb.v20120810#...`); the code is the last part. */
function fromEngineError(err: EngineError): AwsError {
  if (err instanceof AwsError) return err;
  if (err.statusCode && err.body?.__type) {
    const code = err.body.__type.slice(err.body.__type.lastIndexOf('#') + 1);
    return new AwsError(code, err.body.message ?? err.body.Message ?? '', err.statusCode);
  }
  return new AwsError('InternalServerError', `DynamoDB engine failure: ${err.message ?? String(err)}`, 500);
}
