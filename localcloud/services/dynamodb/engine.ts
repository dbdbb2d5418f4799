import { mkdirSync } from 'node:fs';
import {
  EngineCalls,
  engineModule,
  isGone,
  operationModules,
  updateUnderLock,
  waitBriefly,
  type EngineCallback,
  type LockingDb,
} from '../../core/callback-engine.js';
import { assertNestingWithinLimit } from './attribute-nesting.js';
import { installClosingStreams, type DynaliteLevel } from './closing-streams.js';
import { ChangeCapture, type ItemDb } from './streams/change-capture.js';
import { StreamStore, type StreamLevel } from './streams/stream-store.js';
import { WriteGate } from './write-gate.js';

/**
 * dynalite (github.com/architect/dynalite) as an in-process engine.
 *
 * dynalite ships as an HTTP server, but its front door does things we cannot
 * have inside the local cloud: it reads the account and region once from
 * process.env, throws from callbacks on storage errors (which would take the
 * whole process down), and only closes its LevelDB handle if its server was
 * listening. So we drive the layers below the front door directly — its
 * LevelDB store, its request validations and its actions, exactly as its own
 * handler calls them — and keep the HTTP side to the gateway. One repair is
 * applied to the store as it opens: streams that close their iterators.
 * Two things are added around it: a gate that lets transactions run alone
 * (write-gate.ts), and change capture for table streams (streams/).
 */

/** Operations dynalite implements (one module each under dynalite/actions and dynalite/validations). */
export const DYNALITE_OPERATIONS = [
  'BatchGetItem', 'BatchWriteItem', 'CreateTable', 'DeleteItem', 'DeleteTable', 'DescribeTable',
  'DescribeTimeToLive', 'GetItem', 'ListTables', 'ListTagsOfResource', 'PutItem', 'Query', 'Scan',
  'TagResource', 'UntagResource', 'UpdateItem', 'UpdateTable',
] as const;
export type DynaliteOperation = (typeof DYNALITE_OPERATIONS)[number];

interface Store {
  db: DynaliteLevel & StreamLevel & { open(options?: Record<string, unknown>): Promise<void>; close(callback: EngineCallback): void };
  tableDb: LockingDb & { awsAccountId: string; awsRegion: string };
  getTable(name: string, checkStatus: boolean, callback: EngineCallback<TableRecord>): void;
  getItemDb(name: string): ItemDb;
}

/** Runs one dynalite operation without passing the gate: for work that already holds it. */
export type EngineRun = <T = any>(operation: DynaliteOperation, input: Record<string, unknown>) => Promise<T>;

/** A table as dynalite stores it: the TableDescription plus whatever we keep next to it. */
export type TableRecord = Record<string, any> & { TableName: string; TableStatus: string };

const dynaliteDb = engineModule<{ create(options: Record<string, unknown>): Store }>('dynalite', 'db');
const validations = engineModule<{
  checkTypes(data: any, types: Record<string, unknown>): any;
  checkValidations(data: any, types: Record<string, unknown>, custom: unknown, store: Store): void;
}>('dynalite', 'validations');
const operationModule = operationModules<DynaliteOperation, Store>('dynalite');

/**
 * LevelDB's options for a store on disk. Up to 16 stores (accounts × regions)
 * may be open at once next to 512 connections, under the common limit of
 * 1,024 descriptors; LevelDB's default of 1,000 open files per store could
 * take them all. 74 is the least LevelDB accepts (64 table files, each up to
 * 2 MB, plus 10 of its own): a store of up to 128 MB keeps all its tables
 * open, a larger one reopens some as it reads.
 */
const LEVELDB_OPTIONS = { maxOpenFiles: 74 };

export interface DynaliteEngineOptions {
  /** LevelDB directory; omit for an in-memory engine. */
  path?: string;
  accountId: string;
  region: string;
  /** Where failures nobody can answer (a stream record that could not be kept) are reported. */
  log?: (message: string) => void;
  /** Told after a record lands on one of the engine's table streams. */
  streamAppended?: (streamArn: string) => void;
}

export class DynaliteEngine {
  private readonly calls = new EngineCalls('DynamoDB', 'InternalServerError');

  private readonly gate = new WriteGate();

  private constructor(
    private readonly store: Store,
    /** The table streams of this account and region. */
    readonly streams: StreamStore,
    private readonly capture: ChangeCapture,
  ) {}

  /** Opens (or creates) the engine's store; fails with a clear message when another process holds the LevelDB lock. */
  static async open(options: DynaliteEngineOptions): Promise<DynaliteEngine> {
    if (options.path) mkdirSync(options.path, { recursive: true });
    // Tables become ACTIVE (and go away) at once: nothing local is worth waiting for.
    const store = dynaliteDb.create({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    // dynalite's own streams never close their LevelDB iterators (see closing-streams.ts).
    installClosingStreams(store.db);
    // dynalite builds table ARNs from these; its own default comes from process.env.
    store.tableDb.awsAccountId = options.accountId;
    store.tableDb.awsRegion = options.region;
    const location = options.path ?? `memory (${options.accountId}/${options.region})`;
    try {
      // Called before the open dynalite's constructor deferred runs, so these options are the ones used.
      await store.db.open(LEVELDB_OPTIONS);
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new Error(`cannot open the DynamoDB store in ${location}: ${cause} (is another localcloud using the same state directory?)`);
    }
    const streams = await StreamStore.open(store.db, options.accountId, options.region, options.streamAppended);
    const capture = new ChangeCapture(streams, options.log ?? (() => undefined));
    store.getItemDb = capture.wrap(store.getItemDb.bind(store));
    return new DynaliteEngine(store, streams, capture);
  }

  /** Validates `input` the way DynamoDB does and runs the operation; failures come back as AwsErrors. */
  call<T = any>(operation: DynaliteOperation, input: Record<string, unknown>): Promise<T> {
    return this.gate.runShared(() => this.run<T>(operation, input));
  }

  /**
   * Runs `work` alone: no other operation of this engine starts until it
   * ends, and the streams see only what `work` records itself through
   * `recordChange` (so a write it rolls back leaves no record).
   */
  exclusive<T>(work: (run: EngineRun, recordChange: ChangeCapture['record']) => Promise<T>): Promise<T> {
    return this.gate.runExclusive(async () => {
      this.capture.paused = true;
      try {
        return await work((operation, input) => this.run(operation, input), (table, before, after) => this.capture.record(table, before, after));
      } finally {
        this.capture.paused = false;
      }
    });
  }

  /** Checks `input` against dynalite's validation of `operation` and returns what its action would get (parsed expressions included). */
  validated(operation: DynaliteOperation, input: Record<string, unknown>): Promise<any> {
    const { validation } = operationModule(operation);
    return this.calls.run((done) => {
      assertNestingWithinLimit(operation, input);
      const data = validations.checkTypes(input, validation.types);
      validations.checkValidations(data, validation.types, validation.custom, this.store);
      done(null, data);
    });
  }

  private run<T = any>(operation: DynaliteOperation, input: Record<string, unknown>): Promise<T> {
    const { action, validation } = operationModule(operation);
    return this.calls.run<T>((done) => {
      // Before dynalite's validations, which recurse through attribute values and would overflow the stack.
      assertNestingWithinLimit(operation, input);
      const data = validations.checkTypes(input, validation.types);
      validations.checkValidations(data, validation.types, validation.custom, this.store);
      action(this.store, data, done);
    });
  }

  /** The stored table, or ResourceNotFoundException. */
  readTable(tableName: string): Promise<TableRecord> {
    return this.calls.run((done) => this.store.getTable(tableName, false, done));
  }

  /** Waits (briefly: dynalite finishes on a zero-delay timer) until a created or updated table is ACTIVE. */
  untilActive(tableName: string): Promise<void> {
    return waitBriefly(async () => (await this.readTable(tableName)).TableStatus === 'ACTIVE');
  }

  /** Waits (briefly, as above) until a deleted table is gone. */
  untilDeleted(tableName: string): Promise<void> {
    return waitBriefly(() => isGone(() => this.readTable(tableName)));
  }

  /** Changes a stored table under dynalite's own per-table lock, so it cannot race UpdateTable. */
  updateTable(tableName: string, change: (table: TableRecord) => void): Promise<TableRecord> {
    return this.calls.run((done) =>
      updateUnderLock(this.store.tableDb, tableName, (read) => this.store.getTable(tableName, false, read), change, done),
    );
  }

  /** Finishes what is running, lets zero-delay status changes (CREATING → ACTIVE) land, then closes LevelDB. */
  close(): Promise<void> {
    return this.calls.close((done) => this.store.db.close(done));
  }
}
