// The durable store: the repository interface over the official MongoDB driver (and FerretDB).
// Indexes come from COLLECTIONS at init; writes are batched; transient failures are retried with
// backoff; a database that does not answer becomes StoreUnavailableError within seconds.
import { MongoBulkWriteError, MongoClient, type AnyBulkWriteOperation, type Collection, type Db, type Document, type Sort } from 'mongodb';
import type { Logger } from 'pino';
import type { VigilConfig } from '../../config/schema.js';
import {
  COLLECTIONS,
  StoreUnavailableError,
  type CollectionName,
  type Doc,
  type DocCollection,
  type Filter,
  type FindOptions,
  type Store,
  type UpdateOptions,
} from '../repository.js';
import { portableValue, toPortable } from '../portable-document.js';
import { isDuplicateKey, isTransient, isUnavailable } from './transient-errors.js';
import { KeyedLock } from './keyed-lock.js';
import { matchesFilter } from '../memory/match-filter.js';
import { packDocument, packValue, unpackDocument } from './nested-values.js';

export interface MongoStoreOptions {
  /**
   * How long the driver looks for a reachable server before failing an operation. 2 s (the
   * driver's default is 30 s) so a dead database answers intake with 503 quickly.
   */
  serverSelectionTimeoutMs?: number;
  /** TCP connect timeout; 2 s is ample on a LAN and keeps a dead host from stalling retries. */
  connectTimeoutMs?: number;
  /**
   * How `putMany` replaces documents that exist. `reinsert`: one `$in` delete and one insert (fast
   * on FerretDB, which reads the whole collection for each replace in a bulk write, but a reader
   * between the two does not find the documents). `replace`: bulk replace-with-upsert, atomic per
   * document (right for MongoDB). `auto` (default) picks `reinsert` on FerretDB, `replace` elsewhere.
   */
  replaceStrategy?: 'auto' | 'reinsert' | 'replace';
  /**
   * How `update` with `where` checks its condition. `server`: in the update's filter (atomic on
   * MongoDB). `read-check-write`: the document is read by `_id`, the condition checked here, and the
   * update written with a filter of `_id` alone, under the per-document lock. FerretDB 1.24 pushes
   * down only a filter that is exactly `{ _id }`: any other filter decodes every document of the
   * collection in Go (about 100 ms for 3,000 documents of 1.5 KB, against 1 ms for the read and
   * 14 ms for the `_id` update), and it applies its own conditional updates as a read and a
   * separate write anyway (not atomic across connections), so checking here gives up nothing.
   * `auto` (default) picks `read-check-write` on FerretDB, `server` elsewhere.
   */
  conditionalUpdates?: 'auto' | 'server' | 'read-check-write';
  /**
   * How sub-documents and arrays of them are stored. `native`: as they are. `json`: each such
   * top-level field as one JSON string (nested-values.ts), read back transparently: FerretDB 1.24
   * stores a type schema beside every nested value and parses whole documents for every write and
   * lookup, so packed documents are a fraction of the size and of the parsing. `auto` (default)
   * picks `json` on FerretDB, `native` elsewhere. Documents are read back right either way.
   */
  nestedValues?: 'auto' | 'native' | 'json';
  /** Longest /readyz waits for the database's ping before calling it down. */
  pingTimeoutMs?: number;
  /**
   * Longest the driver waits for an answer on a connection before closing it and failing the
   * operation (socket timeout); 15 s. Without it a write the server never answers (seen with FerretDB) blocks the
   * daemon, its lease renewals included, for good.
   */
  operationTimeoutMs?: number;
}

const DEFAULTS: Required<MongoStoreOptions> = { replaceStrategy: 'auto', conditionalUpdates: 'auto', nestedValues: 'auto', serverSelectionTimeoutMs: 2000, connectTimeoutMs: 2000, pingTimeoutMs: 1000, operationTimeoutMs: 15_000 };
/**
 * Most documents in one bulk write: FerretDB 1.24 never answers a bulk of 100 or more upserts that
 * replace existing documents, while 50 go through.
 */
const BULK_CHUNK = 50;

const SEQ_PREFIX = 'seq:';
/**
 * Most ids `getMany` reads with one `_id` lookup each (in parallel) rather than one `$in` query:
 * FerretDB 1.24 answers a lookup from its index but reads the whole collection for `$in`, so a few
 * dozen lookups are cheaper than a read of any collection worth reading this way.
 */
const POINT_READS_MAX = 64;
/** Ids remembered per collection as written by `putMany` (a hint only; forgotten past this many). */
const WRITTEN_IDS_MAX = 200_000;

type StoreCfg = VigilConfig['store'];

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs database operations with retries of transient failures, and maps outages to StoreUnavailableError. */
class Retrier {
  constructor(
    private readonly cfg: StoreCfg,
    private readonly logger: Logger,
  ) {}

  async run<R>(what: string, op: () => Promise<R>): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (isUnavailable(err)) throw new StoreUnavailableError(`database unavailable during ${what}: ${(err as Error).message}`, err);
        if (!isTransient(err)) throw err;
        if (attempt >= this.cfg.writeRetries) {
          throw new StoreUnavailableError(`database failed ${what} after ${attempt + 1} attempts: ${(err as Error).message}`, err);
        }
        // exponential backoff with jitter in [0.5, 1.5) so retrying clients do not move in step
        const delay = this.cfg.retryBaseMs * 2 ** attempt * (0.5 + Math.random());
        this.logger.warn({ op: what, attempt: attempt + 1, delayMs: Math.round(delay), err: (err as Error).message }, 'transient database error; retrying');
        await sleep(delay);
      }
    }
  }
}

/** The filter and update document of one `update` call; `update` is empty when there is nothing to change. */
function buildUpdate(id: string, set: Record<string, unknown>, opts: UpdateOptions, pack: boolean): { filter: Document; update: Document } {
  const stored = (v: unknown, k: string) => (pack ? packValue(portableValue(v, k)) : portableValue(v, k));
  const $set: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(set)) if (k !== '_id' && v !== undefined) $set[k] = stored(v, k);
  const $inc: Record<string, number> = {};
  for (const [k, v] of Object.entries(opts.inc ?? {})) $inc[k] = portableValue(v, k) as number;
  const $setOnInsert: Record<string, unknown> = {};
  // MongoDB refuses one field in two operators; like the embedded store, $set and $inc win
  for (const [k, v] of Object.entries(opts.setOnInsert ?? {})) {
    if (k !== '_id' && v !== undefined && !(k in $set) && !(k in $inc)) $setOnInsert[k] = stored(v, k);
  }
  const update: Document = {};
  if (Object.keys($set).length) update.$set = $set;
  if (Object.keys($inc).length) update.$inc = $inc;
  if (opts.upsert && Object.keys($setOnInsert).length) update.$setOnInsert = $setOnInsert;
  return { filter: { ...(opts.where ?? {}), _id: id }, update };
}

/** The document an upsert with nothing to set creates: `_id` and the equality conditions, as MongoDB does. */
function seedFromWhere(id: string, where: Filter | undefined): Document {
  const seeded: Document = { _id: id };
  for (const [k, c] of Object.entries(where ?? {})) if (typeof c !== 'object' || c === null) seeded[k] = c;
  return seeded;
}

/** How this server is best written to; settled at init. */
interface ServerTraits {
  /** putMany replaces existing documents by one `$in` delete and one insert. */
  reinsertOnReplace: boolean;
  /** update with `where` reads the document, checks the condition here and writes by `_id` alone. */
  checkWhereHere: boolean;
  /** Sub-documents are stored as JSON strings (nested-values.ts). */
  packNested: boolean;
}

class MongoCollection<T extends Doc> implements DocCollection<T> {
  /** Ids `putMany` has written: most likely still there, so replaced by delete and insert straight away. */
  private readonly written = new Set<string>();

  constructor(
    private readonly coll: Collection<Document>,
    private readonly retry: Retrier,
    private readonly lock: KeyedLock,
    /** Settled by the store's init (it asks the server what it is); read at each call. */
    private readonly server: ServerTraits,
  ) {}

  private get name(): string {
    return this.coll.collectionName;
  }

  /** The document as it is written to this server. */
  private stored(doc: Doc): Document {
    const d = toPortable(doc) as unknown as Document;
    return this.server.packNested ? packDocument(d) : d;
  }

  async get(id: string): Promise<T | null> {
    const doc = await this.retry.run(`${this.name}.get`, () => this.coll.findOne({ _id: id as never }));
    return unpackDocument(doc) as T | null;
  }

  async getMany(ids: string[]): Promise<T[]> {
    if (ids.length === 0) return [];
    let docs: Document[];
    if (ids.length <= POINT_READS_MAX) {
      // FerretDB serves a lone `_id` lookup from its index but reads the whole collection for `$in`
      const found = await Promise.all(ids.map((id) => this.retry.run(`${this.name}.getMany`, () => this.coll.findOne({ _id: id as never }))));
      docs = found.filter((d) => d !== null) as Document[];
    } else docs = await this.retry.run(`${this.name}.getMany`, () => this.coll.find({ _id: { $in: ids as never[] } }).toArray());
    const byId = new Map(docs.map((d) => [d._id as unknown as string, unpackDocument(d) as unknown as T]));
    const out: T[] = [];
    for (const id of ids) {
      const d = byId.get(id);
      if (d) out.push(d);
    }
    return out;
  }

  /**
   * New documents are inserted; existing ones are deleted with one `$in` and inserted again. FerretDB
   * 1.24 reads the whole collection for every update or replace of a bulk write (a bulk of 50
   * replacements cost 50 collection reads), while a delete by `$in` reads it once and an insert not
   * at all. The price: between the delete and the insert a reader does not find those documents, and
   * a crash there loses them; the pipeline, the only caller, rewrites them when it replays from its
   * checkpoint (its writes are ahead of the checkpoint). Used on FerretDB only (`replaceStrategy`):
   * on MongoDB each document is replaced in place.
   */
  async putMany(docs: T[]): Promise<void> {
    if (docs.length === 0) return;
    if (!this.server.reinsertOnReplace) return this.replaceMany(docs);
    if (this.written.size > WRITTEN_IDS_MAX) this.written.clear();
    const byId = new Map<string, Document>();
    for (const d of docs) byId.set(d._id, this.stored(d));
    // documents this process wrote before are replaced without first failing an insert of them
    const known: Document[] = [];
    const unknown: Document[] = [];
    for (const [id, d] of byId) (this.written.has(id) ? known : unknown).push(d);
    const present = [...known, ...(await this.insertReportingDuplicates(unknown, 'putMany'))];
    for (const id of byId.keys()) this.written.add(id);
    if (present.length === 0) return;
    await this.retry.run(`${this.name}.putMany`, () => this.coll.deleteMany({ _id: { $in: present.map((d) => d._id) as never[] } }));
    const again = await this.insertReportingDuplicates(present, 'putMany');
    // a concurrent writer re-created one in between: replace those the slow way
    for (const d of again) await this.retry.run(`${this.name}.putMany`, () => this.coll.replaceOne({ _id: d._id }, d, { upsert: true }));
  }

  /** Replace-with-upsert per document, in bulk writes of BULK_CHUNK: each document is replaced atomically. */
  private async replaceMany(docs: T[]): Promise<void> {
    const ops = docs.map((doc) => {
      const d = this.stored(doc);
      return { replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } };
    });
    for (let i = 0; i < ops.length; i += BULK_CHUNK) {
      const part = ops.slice(i, i + BULK_CHUNK);
      await this.retry.run(`${this.name}.putMany`, () => this.coll.bulkWrite(part, { ordered: true }));
    }
  }

  /** Inserts the documents (unordered); returns those whose `_id` was already taken. */
  private async insertReportingDuplicates(docs: Document[], what: string): Promise<Document[]> {
    if (docs.length === 0) return [];
    const dups = await this.retry.run(`${this.name}.${what}`, async () => {
      try {
        await this.coll.insertMany(docs, { ordered: false });
        return [] as number[];
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError)) throw err;
        const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
        if (writeErrors.length === 0 || writeErrors.some((we) => we.code !== 11000)) throw err;
        return writeErrors.map((we) => we.index);
      }
    });
    return dups.map((i) => docs[i]!);
  }

  async put(doc: T): Promise<void> {
    const d = this.stored(doc);
    await this.retry.run(`${this.name}.put`, () => this.coll.replaceOne({ _id: d._id }, d, { upsert: true }));
  }

  async insertNew(docs: T[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    if (docs.length === 0) return { inserted: [], duplicates: [] };
    const copies = docs.map((d) => this.stored(d) as Document & { _id: string });
    const dupIndexes = await this.retry.run(`${this.name}.insertNew`, async () => {
      try {
        await this.coll.insertMany(copies as unknown as Document[], { ordered: false });
        return new Set<number>();
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError)) throw err;
        const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
        if (writeErrors.length === 0) throw err;
        const dups = new Set<number>();
        for (const we of writeErrors) {
          if (we.code !== 11000) throw err;
          dups.add(we.index);
        }
        // FerretDB's E11000 does not name the index: a document whose _id is not stored collided on
        // another unique index (e.g. the log's seq), which is a real failure, not a resend
        const present = new Set((await this.coll.find({ _id: { $in: [...dups].map((i) => copies[i]!._id) as never[] } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id as unknown as string));
        const other = [...dups].find((i) => !present.has(copies[i]!._id));
        if (other !== undefined) throw err;
        return dups;
      }
    });
    const inserted: string[] = [];
    const duplicates: string[] = [];
    copies.forEach((d, i) => (dupIndexes.has(i) ? duplicates : inserted).push(d._id));
    return { inserted, duplicates };
  }

  update(id: string, set: Partial<T> | Record<string, unknown>, opts: UpdateOptions = {}): Promise<boolean> {
    return this.lock.run(`${this.name}/${id}`, () => this.updateNow(id, set, opts));
  }

  private async updateNow(id: string, set: Partial<T> | Record<string, unknown>, opts: UpdateOptions): Promise<boolean> {
    if (this.server.checkWhereHere && opts.where && Object.keys(opts.where).length > 0) return this.readCheckWrite(id, set, opts);
    const { filter, update } = buildUpdate(id, set, opts, this.server.packNested);
    const what = `${this.name}.update`;
    if (Object.keys(update).length === 0) {
      // nothing to change: report whether it matches, or create the bare document
      if ((await this.retry.run(what, () => this.coll.countDocuments(filter, { limit: 1 }))) > 0) return true;
      if (!opts.upsert) return false;
      try {
        await this.retry.run(what, () => this.coll.insertOne(seedFromWhere(id, opts.where)));
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    }
    try {
      const res = await this.retry.run(what, () => this.coll.updateOne(filter, update, { upsert: opts.upsert ?? false }));
      return res.matchedCount > 0 || res.upsertedCount > 0;
    } catch (err) {
      // an upsert whose `where` failed on an existing document collides on _id: the condition did not hold
      if (opts.upsert && isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /**
   * A conditional update as a read by `_id`, the condition checked here, and a write by `_id` alone
   * (see MongoStoreOptions.conditionalUpdates); the caller holds the document's lock, so no other
   * update of this process comes in between.
   */
  private async readCheckWrite(id: string, set: Partial<T> | Record<string, unknown>, opts: UpdateOptions): Promise<boolean> {
    const what = `${this.name}.update`;
    const current = unpackDocument(await this.retry.run(what, () => this.coll.findOne({ _id: id as never })));
    if (current) {
      if (!matchesFilter(current, opts.where)) return false;
      const { update } = buildUpdate(id, set, { ...opts, where: {}, upsert: false }, this.server.packNested);
      if (Object.keys(update).length === 0) return true;
      const res = await this.retry.run(what, () => this.coll.updateOne({ _id: id as never }, update));
      // deleted in between: as if it had not matched
      return res.matchedCount > 0;
    }
    if (!opts.upsert) return false;
    // the document an upsert creates: the equality conditions, then setOnInsert, $set and $inc
    const { update } = buildUpdate(id, set, { ...opts, where: {} }, this.server.packNested);
    const created: Document = { ...seedFromWhere(id, opts.where), ...(update.$setOnInsert ?? {}), ...(update.$set ?? {}), ...(update.$inc ?? {}) };
    try {
      await this.retry.run(what, () => this.coll.insertOne(created));
      return true;
    } catch (err) {
      // created by another process meanwhile: the condition was not checked against it
      if (isDuplicateKey(err)) return this.readCheckWrite(id, set, { ...opts, upsert: false });
      throw err;
    }
  }

  async updateMany(ops: Array<{ id: string; set: Record<string, unknown>; opts?: UpdateOptions }>): Promise<number> {
    const bulk: AnyBulkWriteOperation<Document>[] = [];
    const alone: typeof ops = [];
    for (const op of ops) {
      const { filter, update } = buildUpdate(op.id, op.set, op.opts ?? {}, this.server.packNested);
      // Updates with nothing to change have no bulk form, and a conditional upsert may collide on
      // _id, which FerretDB reports by abandoning the rest of the batch: those go one by one, as do
      // conditional updates where the condition is checked here (see conditionalUpdates).
      const conditional = op.opts?.where !== undefined && Object.keys(op.opts.where).length > 0;
      if (Object.keys(update).length === 0 || (op.opts?.upsert && op.opts.where) || (conditional && this.server.checkWhereHere)) alone.push(op);
      else bulk.push({ updateOne: { filter, update, upsert: op.opts?.upsert ?? false } });
    }
    let matched = 0;
    if (bulk.length > 0) {
      // not under the per-document lock: batched writers (the pipeline) are the only writers of their documents
      for (let i = 0; i < bulk.length; i += BULK_CHUNK) {
        const part = bulk.slice(i, i + BULK_CHUNK);
        const res = await this.retry.run(`${this.name}.updateMany`, () => this.coll.bulkWrite(part, { ordered: false }));
        matched += res.matchedCount + res.upsertedCount;
      }
    }
    for (const op of alone) if (await this.update(op.id, op.set, op.opts)) matched++;
    return matched;
  }

  async find(filter: Filter = {}, opts: FindOptions = {}): Promise<T[]> {
    return this.retry.run(`${this.name}.find`, () => {
      let cursor = this.coll.find(filter as Document);
      if (opts.sort && opts.sort.length) cursor = cursor.sort(opts.sort as Sort);
      if (opts.skip) cursor = cursor.skip(opts.skip);
      if (opts.limit) cursor = cursor.limit(opts.limit);
      return cursor.toArray().then((docs) => docs.map((d) => unpackDocument(d) as unknown as T));
    });
  }

  async count(filter: Filter = {}): Promise<number> {
    return this.retry.run(`${this.name}.count`, () => this.coll.countDocuments(filter as Document));
  }

  async deleteMany(filter: Filter): Promise<number> {
    const res = await this.retry.run(`${this.name}.deleteMany`, () => this.coll.deleteMany(filter as Document));
    return res.deletedCount;
  }
}

export class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  readonly durable = true;
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly retry: Retrier;
  private readonly opts: Required<MongoStoreOptions>;
  private readonly collections = new Map<CollectionName, MongoCollection<Doc>>();
  private readonly lock = new KeyedLock();
  private readonly server: ServerTraits = { reinsertOnReplace: false, checkWhereHere: false, packNested: false };

  constructor(
    private readonly cfg: StoreCfg,
    private readonly logger: Logger,
    options: MongoStoreOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
    this.client = new MongoClient(cfg.mongoUri, {
      serverSelectionTimeoutMS: this.opts.serverSelectionTimeoutMs,
      connectTimeoutMS: this.opts.connectTimeoutMs,
      socketTimeoutMS: this.opts.operationTimeoutMs,
      // undefined fields are left out, as the embedded store does, instead of becoming null
      ignoreUndefined: true,
    });
    this.db = this.client.db(cfg.database);
    this.retry = new Retrier(cfg, logger);
  }

  async init(): Promise<void> {
    try {
      await this.client.connect();
    } catch (err) {
      throw new StoreUnavailableError(`cannot connect to MongoDB: ${(err as Error).message}`, err);
    }
    let ferretDb = false;
    if (this.opts.replaceStrategy === 'auto' || this.opts.conditionalUpdates === 'auto' || this.opts.nestedValues === 'auto') {
      const info = await this.retry.run('buildInfo', () => this.db.admin().command({ buildInfo: 1 }));
      ferretDb = typeof info.ferretdbVersion === 'string';
    }
    this.server.reinsertOnReplace = this.opts.replaceStrategy === 'auto' ? ferretDb : this.opts.replaceStrategy === 'reinsert';
    this.server.checkWhereHere = this.opts.conditionalUpdates === 'auto' ? ferretDb : this.opts.conditionalUpdates === 'read-check-write';
    this.server.packNested = this.opts.nestedValues === 'auto' ? ferretDb : this.opts.nestedValues === 'json';
    this.logger.debug({ ...this.server }, 'mongo store: how documents are written to this server');
    for (const [name, specs] of Object.entries(COLLECTIONS)) {
      if (specs.length === 0) continue;
      const coll = this.db.collection(name);
      // FerretDB v1.24 panics on createIndexes for an index that already exists, so only the
      // missing ones are created (listIndexes on a collection not created yet fails: none exist)
      const existing = await this.retry
        .run(`${name}.listIndexes`, () => coll.listIndexes().toArray())
        .catch((err) => {
          if (err instanceof StoreUnavailableError) throw err;
          return [] as Document[];
        });
      const have = new Set(existing.map((ix) => JSON.stringify(Object.entries(ix.key as Record<string, number>))));
      const missing = specs
        .filter((s) => !have.has(JSON.stringify(s.fields)))
        .map((s) => ({
          key: Object.fromEntries(s.fields) as Record<string, 1 | -1>,
          ...('unique' in s && s.unique ? { unique: true } : {}),
        }));
      if (missing.length > 0) await this.retry.run(`${name}.createIndexes`, () => coll.createIndexes(missing));
    }
  }

  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.opts.pingTimeoutMs);
    });
    try {
      const answer = this.db.command({ ping: 1 }).then(
        (r) => r.ok === 1,
        () => false,
      );
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  collection<T extends Doc>(name: CollectionName): DocCollection<T> {
    let c = this.collections.get(name);
    if (!c) {
      if (!(name in COLLECTIONS)) throw new Error(`unknown collection ${String(name)}`);
      c = new MongoCollection<Doc>(this.db.collection(name), this.retry, this.lock, this.server);
      this.collections.set(name, c);
    }
    return c as unknown as DocCollection<T>;
  }

  async reserveSeq(name: string, n: number): Promise<number> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`reserveSeq: n must be a positive integer, got ${n}`);
    const kv = this.db.collection<{ _id: string; value: number }>('kv');
    const id = SEQ_PREFIX + name;
    const bump = () => kv.findOneAndUpdate({ _id: id }, { $inc: { value: n } }, { upsert: true, returnDocument: 'after' });
    const doc = await this.lock.run(`kv/${id}`, async () => {
      try {
        return await this.retry.run('reserveSeq', bump);
      } catch (err) {
        // another process created the counter first; the loser simply increments it
        if (!isDuplicateKey(err)) throw err;
        return this.retry.run('reserveSeq', bump);
      }
    });
    if (!doc) throw new Error(`reserveSeq(${name}): the counter update returned no document`);
    return doc.value - n + 1;
  }
}

export function createMongoStore(cfg: StoreCfg, logger: Logger, options?: MongoStoreOptions): Store {
  return new MongoStore(cfg, logger, options);
}
