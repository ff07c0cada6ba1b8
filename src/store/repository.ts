// The one narrow storage interface every part of Vigil talks to, with a memory and a MongoDB
// implementation behind it. Kept to the subset FerretDB and MongoDB both serve (CRUD, $in/range
// filters, atomic counters, conditional updates), so the same code runs on both.

export type Scalar = string | number | boolean | null;

/** Equality on a value, or a small set of operators. Fields are top-level names (no dots). */
export type FieldCondition =
  | Scalar
  | { $in?: Scalar[]; $ne?: Scalar; $gt?: number | string; $gte?: number | string; $lt?: number | string; $lte?: number | string; $exists?: boolean };
export type Filter = Record<string, FieldCondition>;

export interface FindOptions {
  sort?: Array<[field: string, direction: 1 | -1]>;
  limit?: number;
  skip?: number;
}

export interface Doc {
  _id: string;
}

export interface UpdateOptions {
  /** Numeric fields to add to atomically. */
  inc?: Record<string, number>;
  /** Fields set only when the update inserts the document. */
  setOnInsert?: Record<string, unknown>;
  /** Insert when no document matches `_id` (and `where`). */
  upsert?: boolean;
  /** Extra conditions on the current document: the update applies only when they hold. */
  where?: Filter;
}

export interface DocCollection<T extends Doc> {
  get(id: string): Promise<T | null>;
  getMany(ids: string[]): Promise<T[]>;
  /** Insert or replace whole documents, in one batched write. */
  putMany(docs: T[]): Promise<void>;
  put(doc: T): Promise<void>;
  /** Insert documents whose `_id` is not there yet; report which were already present. */
  insertNew(docs: T[]): Promise<{ inserted: string[]; duplicates: string[] }>;
  /**
   * Set fields (and `inc`) on the document `id`. Returns true when a document matched (or was
   * upserted). With `where`, a conditional update: the basis of leases and outbox claims.
   */
  update(id: string, set: Partial<T> | Record<string, unknown>, opts?: UpdateOptions): Promise<boolean>;
  /** Many `update`s in one batched round trip (a bulk write); returns how many matched or were upserted. */
  updateMany(ops: Array<{ id: string; set: Record<string, unknown>; opts?: UpdateOptions }>): Promise<number>;
  find(filter?: Filter, opts?: FindOptions): Promise<T[]>;
  count(filter?: Filter): Promise<number>;
  deleteMany(filter: Filter): Promise<number>;
}

/** Index declarations, created at start-up by stores that have indexes. */
export interface IndexSpec {
  fields: Array<[field: string, direction: 1 | -1]>;
  unique?: boolean;
}

export const COLLECTIONS = {
  events: [{ fields: [['seq', 1]], unique: true }, { fields: [['accountId', 1], ['occurredAt', 1]] }],
  accounts: [{ fields: [['tier', 1]] }],
  kv: [],
  eventSegments: [],
  eventIds: [],
  clusters: [{ fields: [['lastSeen', -1]] }, { fields: [['count', -1]] }],
  incidents: [{ fields: [['status', 1], ['openedAt', -1]] }, { fields: [['clusterId', 1]] }],
  accountStates: [],
  /** The pipeline's checkpointed state (engine snapshot, account records), written as new documents per checkpoint. */
  pipelineState: [],
  health: [{ fields: [['band', 1], ['score', 1]] }, { fields: [['score', 1]] }, { fields: [['priority', -1]] }],
  healthHistory: [{ fields: [['accountId', 1], ['day', 1]] }],
  outreach: [{ fields: [['status', 1], ['priority', -1]] }, { fields: [['accountId', 1]] }],
  alerts: [{ fields: [['status', 1], ['nextAttemptAt', 1]] }, { fields: [['groupKey', 1], ['createdAt', -1]] }, { fields: [['threadKey', 1], ['enqueuedAt', 1]] }],
  /** Finished alerts moved out of `alerts` after alerts.archive.afterMs (src/alerts/alert-archive.ts). */
  alertArchive: [{ fields: [['groupKey', 1], ['createdAt', -1]] }, { fields: [['enqueuedAt', -1]] }],
  labels: [{ fields: [['createdAt', 1]] }],
  models: [{ fields: [['name', 1], ['version', -1]] }],
} satisfies Record<string, IndexSpec[]>;
export type CollectionName = keyof typeof COLLECTIONS;

export interface Store {
  readonly kind: 'memory' | 'mongo';
  /** False for the embedded store: everything is lost when the process ends. */
  readonly durable: boolean;
  /** Connect and create indexes. */
  init(): Promise<void>;
  /** True when the store answers now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  collection<T extends Doc>(name: CollectionName): DocCollection<T>;
  /** Atomically reserve `n` consecutive numbers of the named sequence; returns the first. */
  reserveSeq(name: string, n: number): Promise<number>;
}

/** A storage failure that callers may branch on (e.g. answer 503 while the database is away). */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}
