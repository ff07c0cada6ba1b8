// The embedded store: the repository interface on in-process Maps, used when no MongoDB URI is
// configured (and in tests). Nothing survives the process; filters and sorts scan, except range
// reads in order of a unique numeric index (the event log's `seq`), which use a sorted index.
import {
  COLLECTIONS,
  type CollectionName,
  type Doc,
  type DocCollection,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Store,
  type UpdateOptions,
} from '../repository.js';
import { adoptPortable, clonePortable, portableValue, toPortable } from '../portable-document.js';
import { matchesFilter, sortComparator } from './match-filter.js';

type Rec = Record<string, unknown> & Doc;

/** A write that would break a unique index, as MongoDB's E11000. */
export class DuplicateKeyError extends Error {
  readonly code = 11000;
  constructor(collection: string, index: string, key: string) {
    super(`duplicate key in ${collection} on ${index}: ${key}`);
    this.name = 'DuplicateKeyError';
  }
}

/** Sorted [value, _id] pairs of a single-field unique index over numbers, for ordered range reads. */
class OrderedIndex {
  readonly values: number[] = [];
  readonly ids: string[] = [];
  /** Documents whose field is not a number; while there are any, reads fall back to scanning. */
  nonNumeric = 0;

  constructor(readonly field: string) {}

  /** First position whose value is >= v (or > v when `strict`). */
  lowerBound(v: number, strict: boolean): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = this.values[mid]!;
      if (x < v || (strict && x === v)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(doc: Rec): void {
    const v = doc[this.field];
    if (typeof v !== 'number') {
      this.nonNumeric++;
      return;
    }
    const n = this.values.length;
    // appends in increasing order are the common case (the event log)
    const at = n === 0 || this.values[n - 1]! < v ? n : this.lowerBound(v, false);
    this.values.splice(at, 0, v);
    this.ids.splice(at, 0, doc._id);
  }

  remove(doc: Rec): void {
    const v = doc[this.field];
    if (typeof v !== 'number') {
      this.nonNumeric--;
      return;
    }
    for (let i = this.lowerBound(v, false); i < this.values.length && this.values[i] === v; i++) {
      if (this.ids[i] === doc._id) {
        this.values.splice(i, 1);
        this.ids.splice(i, 1);
        return;
      }
    }
  }
}

/**
 * Documents by one field, built on the first query that can use it, then kept in step with every
 * write: by value (for equality, on fields that lead an index declaration) and by type (for range
 * conditions, which only match a value of the bound's type). Each list keeps the collection's own
 * iteration order (a rewrite moves a document to the end of both), so answers and the order of
 * equal sort keys are exactly those of a full scan.
 */
class FieldIndex {
  // the stored documents themselves, not their ids: a scan of a list then needs no lookup per document
  readonly byValue = new Map<string | number | boolean, Set<Rec>>();
  /** Documents whose field is a number, or an array (which may hold one). */
  readonly numbers = new Set<Rec>();
  /** Documents whose field is a string, or an array. */
  readonly strings = new Set<Rec>();
  /** Documents whose field holds an array (equality then matches an element); while any, equality scans. */
  arrays = 0;

  constructor(
    readonly field: string,
    /** Whether values are listed (equality); ranges only need the type lists. */
    readonly byValues: boolean,
  ) {}

  add(doc: Rec): void {
    const v = doc[this.field];
    if (Array.isArray(v)) {
      this.arrays++;
      this.numbers.add(doc);
      this.strings.add(doc);
      return;
    }
    if (typeof v === 'number') this.numbers.add(doc);
    else if (typeof v === 'string') this.strings.add(doc);
    else if (typeof v !== 'boolean') return; // null, missing, objects, dates: never equal a scalar, never in a range
    if (!this.byValues) return;
    let docs = this.byValue.get(v);
    if (!docs) this.byValue.set(v, (docs = new Set()));
    docs.add(doc);
  }

  remove(doc: Rec): void {
    const v = doc[this.field];
    if (Array.isArray(v)) {
      this.arrays--;
      this.numbers.delete(doc);
      this.strings.delete(doc);
      return;
    }
    if (typeof v === 'number') this.numbers.delete(doc);
    else if (typeof v === 'string') this.strings.delete(doc);
    else if (typeof v !== 'boolean') return;
    if (!this.byValues) return;
    const docs = this.byValue.get(v);
    if (!docs) return;
    docs.delete(doc);
    if (docs.size === 0) this.byValue.delete(v);
  }
}

interface UniqueIndex {
  name: string;
  fields: string[];
  keys: Map<string, string>;
}

function indexName(spec: IndexSpec): string {
  return spec.fields.map(([f, d]) => `${f}_${d}`).join('_');
}

/**
 * A collection that can lend its stored documents for reading, without the copy `get` makes (the
 * embedded store). Lent documents are frozen: read them, never change them.
 */
export interface LendingCollection<T extends Doc> {
  peek(id: string): Readonly<T> | null;
}

export function lendsDocuments<T extends Doc>(coll: DocCollection<T>): coll is DocCollection<T> & LendingCollection<T> {
  return typeof (coll as Partial<LendingCollection<T>>).peek === 'function';
}

/**
 * A collection that can take documents over instead of storing copies (the embedded store): for
 * a writer that builds fresh documents and never changes one after handing it over. What a copy
 * would store differently (undefined fields, dates) is still copied; every check of putMany holds.
 */
export interface AdoptingCollection<T extends Doc> {
  adoptMany(docs: T[]): Promise<void>;
}

export function adoptsDocuments<T extends Doc>(coll: DocCollection<T>): coll is DocCollection<T> & AdoptingCollection<T> {
  return typeof (coll as Partial<AdoptingCollection<T>>).adoptMany === 'function';
}

/** putMany, or adoptMany where the collection takes documents over. */
export function putOwned<T extends Doc>(coll: DocCollection<T>, docs: T[]): Promise<void> {
  return adoptsDocuments(coll) ? coll.adoptMany(docs) : coll.putMany(docs);
}

class MemoryCollection<T extends Doc> implements DocCollection<T>, LendingCollection<T>, AdoptingCollection<T> {
  private readonly docs = new Map<string, Rec>();
  private readonly unique: UniqueIndex[];
  private readonly ordered: OrderedIndex[];
  /** Fields that lead an index declaration: equality filters on them may use an EqualityIndex. */
  private readonly equalityFields: Set<string>;
  private readonly equality = new Map<string, FieldIndex>();

  constructor(
    readonly name: string,
    specs: readonly IndexSpec[],
  ) {
    const uniq = specs.filter((s) => s.unique);
    this.unique = uniq.map((s) => ({ name: indexName(s), fields: s.fields.map(([f]) => f), keys: new Map() }));
    this.ordered = uniq.filter((s) => s.fields.length === 1).map((s) => new OrderedIndex(s.fields[0]![0]));
    this.equalityFields = new Set(specs.map((s) => s.fields[0]![0]));
  }

  private uniqueKey(idx: UniqueIndex, doc: Rec): string {
    // MongoDB indexes a missing field as null
    return JSON.stringify(idx.fields.map((f) => doc[f] ?? null));
  }

  /** Throws when `doc` would collide with another document on a unique index. */
  private checkUnique(doc: Rec): void {
    for (const idx of this.unique) {
      const key = this.uniqueKey(idx, doc);
      const holder = idx.keys.get(key);
      if (holder !== undefined && holder !== doc._id) throw new DuplicateKeyError(this.name, idx.name, key);
    }
  }

  private attach(doc: Rec): void {
    this.docs.set(doc._id, doc);
    for (const idx of this.unique) idx.keys.set(this.uniqueKey(idx, doc), doc._id);
    for (const o of this.ordered) o.add(doc);
    for (const e of this.equality.values()) e.add(doc);
  }

  private detach(doc: Rec): void {
    this.docs.delete(doc._id);
    for (const idx of this.unique) {
      const key = this.uniqueKey(idx, doc);
      if (idx.keys.get(key) === doc._id) idx.keys.delete(key);
    }
    for (const o of this.ordered) o.remove(doc);
    for (const e of this.equality.values()) e.remove(doc);
  }

  /** Replaces (or inserts) the stored document, keeping the indexes in step. */
  private write(next: Rec): void {
    this.checkUnique(next);
    const prev = this.docs.get(next._id);
    if (prev) this.detach(prev);
    this.attach(next);
  }

  // Stored documents are portable copies (plain data only), so a plain deep copy is enough.
  private static out<T>(doc: Rec): T {
    return clonePortable(doc) as unknown as T;
  }

  /**
   * The stored document itself, not a copy, frozen (deeply) so that a caller that tries to change
   * it fails loudly instead of corrupting the store. For code that only reads (building an API
   * answer): it saves the deep copy `get` makes, which for a large document is most of the read.
   */
  peek(id: string): Readonly<T> | null {
    const d = this.docs.get(id);
    return d ? (deepFreeze(d) as unknown as T) : null;
  }

  async get(id: string): Promise<T | null> {
    const d = this.docs.get(id);
    return d ? MemoryCollection.out<T>(d) : null;
  }

  async getMany(ids: string[]): Promise<T[]> {
    const out: T[] = [];
    for (const id of ids) {
      const d = this.docs.get(id);
      if (d) out.push(MemoryCollection.out<T>(d));
    }
    return out;
  }

  async putMany(docs: T[]): Promise<void> {
    const copies = docs.map((d) => toPortable(d) as unknown as Rec);
    for (const c of copies) this.write(c);
  }

  async adoptMany(docs: T[]): Promise<void> {
    // all checked before any is written, as putMany does; values shared with the stored document were checked when it was stored
    const stored = docs.map((d) => adoptPortable(d, this.docs.get(d._id)) as unknown as Rec);
    for (const c of stored) this.write(c);
  }

  async put(doc: T): Promise<void> {
    this.write(toPortable(doc) as unknown as Rec);
  }

  async insertNew(docs: T[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    const copies = docs.map((d) => toPortable(d) as unknown as Rec);
    const inserted: string[] = [];
    const duplicates: string[] = [];
    for (const c of copies) {
      if (this.docs.has(c._id)) duplicates.push(c._id);
      else {
        this.write(c);
        inserted.push(c._id);
      }
    }
    return { inserted, duplicates };
  }

  async update(id: string, set: Partial<T> | Record<string, unknown>, opts: UpdateOptions = {}): Promise<boolean> {
    const current = this.docs.get(id);
    const changes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(set)) if (k !== '_id' && v !== undefined) changes[k] = portableValue(v, k);
    if (current) {
      if (!matchesFilter(current, opts.where)) return false;
      const next: Rec = { ...current, ...changes };
      for (const [k, by] of Object.entries(opts.inc ?? {})) {
        const base = current[k];
        next[k] = portableValue((typeof base === 'number' ? base : 0) + by, k);
      }
      this.write(next);
      return true;
    }
    if (!opts.upsert) return false;
    // like MongoDB: the equality conditions of the filter seed the inserted document
    const seeded: Rec = { _id: id };
    for (const [k, c] of Object.entries(opts.where ?? {})) if (typeof c !== 'object' || c === null) seeded[k] = c;
    const onInsert = opts.setOnInsert ? (toPortable(opts.setOnInsert) as Record<string, unknown>) : {};
    const next: Rec = { ...seeded, ...onInsert, ...changes, _id: id };
    for (const [k, by] of Object.entries(opts.inc ?? {})) next[k] = portableValue(by, k);
    this.write(next);
    return true;
  }

  async updateMany(ops: Array<{ id: string; set: Record<string, unknown>; opts?: UpdateOptions }>): Promise<number> {
    let n = 0;
    for (const op of ops) if (await this.update(op.id, op.set, op.opts)) n++;
    return n;
  }

  /** Adds `by` to a numeric field (creating the document), with no await in between; returns the new value. */
  incrementNow(id: string, field: string, by: number): number {
    const current = this.docs.get(id);
    const base = current?.[field];
    const value = (typeof base === 'number' ? base : 0) + by;
    this.write({ ...(current ?? { _id: id }), [field]: value });
    return value;
  }

  /** Candidates in the order of a unique numeric index, starting at the filter's bound on it. */
  private orderedScan(filter: Filter | undefined, opts: FindOptions): Iterable<Rec> | null {
    if (!opts.sort || opts.sort.length !== 1) return null;
    const [field, dir] = opts.sort[0]!;
    const idx = this.ordered.find((o) => o.field === field);
    if (!idx || idx.nonNumeric > 0) return null;
    const cond = filter?.[field];
    const range = typeof cond === 'object' && cond !== null ? cond : {};
    const docs = this.docs;
    let start: number;
    if (dir === 1) {
      start = 0;
      if (typeof range.$gt === 'number') start = idx.lowerBound(range.$gt, true);
      else if (typeof range.$gte === 'number') start = idx.lowerBound(range.$gte, false);
    } else {
      start = idx.values.length - 1;
      if (typeof range.$lt === 'number') start = idx.lowerBound(range.$lt, false) - 1;
      else if (typeof range.$lte === 'number') start = idx.lowerBound(range.$lte, true) - 1;
    }
    return {
      *[Symbol.iterator]() {
        for (let i = start; i >= 0 && i < idx.ids.length; i += dir) yield docs.get(idx.ids[i]!)!;
      },
    };
  }

  /** The field's index, built from the documents on first use. */
  private fieldIndex(field: string): FieldIndex {
    let idx = this.equality.get(field);
    if (!idx) {
      idx = new FieldIndex(field, this.equalityFields.has(field));
      for (const d of this.docs.values()) idx.add(d);
      this.equality.set(field, idx);
    }
    return idx;
  }

  /**
   * The documents a filter can match, in collection order: the shortest list of a field index
   * that applies (a string, number or boolean equality on a field that leads an index
   * declaration; a range bound on any field), else all of them.
   */
  private candidates(filter: Filter | undefined): Iterable<Rec> {
    let best: ReadonlySet<Rec> | null = null;
    if (filter) {
      for (const field in filter) {
        const cond = filter[field];
        let list: ReadonlySet<Rec> | null = null;
        if (typeof cond === 'string' || typeof cond === 'number' || typeof cond === 'boolean') {
          if (!this.equalityFields.has(field)) continue;
          const idx = this.fieldIndex(field);
          if (idx.arrays > 0) continue;
          list = idx.byValue.get(cond) ?? NO_DOCS;
        } else if (typeof cond === 'object' && cond !== null) {
          // a range only matches values of its bound's type (MongoDB's type brackets)
          const bound = [cond.$gt, cond.$gte, cond.$lt, cond.$lte].find((b) => typeof b === 'number' || typeof b === 'string');
          if (bound === undefined) continue;
          const idx = this.fieldIndex(field);
          list = typeof bound === 'number' ? idx.numbers : idx.strings;
        }
        if (list && (!best || list.size < best.size)) best = list;
      }
    }
    return best ?? this.docs.values();
  }

  async find(filter?: Filter, opts: FindOptions = {}): Promise<T[]> {
    const skip = opts.skip ?? 0;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const ordered = this.orderedScan(filter, opts);
    if (ordered) {
      const out: T[] = [];
      let skipped = 0;
      for (const d of ordered) {
        if (!matchesFilter(d, filter)) continue;
        if (skipped < skip) {
          skipped++;
          continue;
        }
        out.push(MemoryCollection.out<T>(d));
        if (out.length >= limit) break;
      }
      return out;
    }
    if (opts.sort && opts.sort.length > 0 && limit !== Infinity) {
      // a page of a sorted answer: keep the best skip + limit while scanning instead of sorting every match
      const top = new TopK(skip + limit, sortComparator(opts.sort));
      for (const d of this.candidates(filter)) if (matchesFilter(d, filter)) top.offer(d);
      return top.items.slice(skip).map((d) => MemoryCollection.out<T>(d));
    }
    let hits: Rec[] = [];
    for (const d of this.candidates(filter)) if (matchesFilter(d, filter)) hits.push(d);
    if (opts.sort && opts.sort.length > 0) hits.sort(sortComparator(opts.sort));
    if (skip > 0 || limit !== Infinity) hits = hits.slice(skip, limit === Infinity ? undefined : skip + limit);
    return hits.map((d) => MemoryCollection.out<T>(d));
  }

  async count(filter?: Filter): Promise<number> {
    if (!filter || Object.keys(filter).length === 0) return this.docs.size;
    const only = Object.keys(filter);
    if (only.length === 1) {
      // One equality on an indexed field: the listed documents are exactly the matches.
      const want = filter[only[0]!];
      const idx = this.equality.get(only[0]!);
      if (idx && idx.byValues && idx.arrays === 0 && (typeof want === 'string' || typeof want === 'number' || typeof want === 'boolean')) return idx.byValue.get(want)?.size ?? 0;
      // `$in` alone on an indexed field: the sum of its values' lists (each document holds one value)
      if (this.equalityFields.has(only[0]!) && isOnlyIn(want)) {
        const inIdx = this.fieldIndex(only[0]!);
        if (inIdx.arrays === 0 && want.$in.every(isIndexable)) {
          let n = 0;
          for (const v of new Set(want.$in)) n += inIdx.byValue.get(v as string | number | boolean)?.size ?? 0;
          return n;
        }
      }
    }
    let n = 0;
    for (const d of this.candidates(filter)) if (matchesFilter(d, filter)) n++;
    return n;
  }

  async deleteMany(filter: Filter): Promise<number> {
    const doomed: Rec[] = [];
    for (const d of this.docs.values()) if (matchesFilter(d, filter)) doomed.push(d);
    for (const d of doomed) this.detach(d);
    return doomed.length;
  }
}

function isIndexable(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** A condition that is only `{ $in: [...] }`. */
function isOnlyIn(cond: unknown): cond is { $in: unknown[] } {
  if (typeof cond !== 'object' || cond === null || Array.isArray(cond)) return false;
  const keys = Object.keys(cond);
  return keys.length === 1 && keys[0] === '$in' && Array.isArray((cond as { $in: unknown }).$in);
}

/**
 * The first `k` items of a stable sort, kept while scanning: an item enters after every item it
 * does not sort before, so ties keep their scan order exactly as Array.sort's stable order would.
 */
class TopK {
  readonly items: Rec[] = [];

  constructor(
    private readonly k: number,
    private readonly cmp: (a: Rec, b: Rec) => number,
  ) {}

  offer(d: Rec): void {
    const items = this.items;
    if (this.k <= 0) return;
    if (items.length === this.k && this.cmp(d, items[items.length - 1]!) >= 0) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(d, items[mid]!) < 0) hi = mid;
      else lo = mid + 1;
    }
    items.splice(lo, 0, d);
    if (items.length > this.k) items.pop();
  }
}

/**
 * Freezes a stored document and everything in it, once (a frozen top level means it is done; the
 * store never changes a stored document in place, a write replaces it).
 */
function deepFreeze(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (ArrayBuffer.isView(value)) return value; // typed arrays cannot be frozen; nothing reads them shared
  // an indexed loop: for-of makes an iterator, and documents are frozen on their first read (per request)
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  else for (const k in value) deepFreeze((value as Record<string, unknown>)[k]);
  return Object.freeze(value);
}

const SEQ_PREFIX = 'seq:';
const NO_DOCS: ReadonlySet<Rec> = new Set();

/** The embedded, non-durable Store. */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly durable = false;
  private readonly collections = new Map<CollectionName, MemoryCollection<Doc>>();
  private closed = false;

  async init(): Promise<void> {}

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  collection<T extends Doc>(name: CollectionName): DocCollection<T> {
    let c = this.collections.get(name);
    if (!c) {
      if (!(name in COLLECTIONS)) throw new Error(`unknown collection ${String(name)}`);
      c = new MemoryCollection<Doc>(name, COLLECTIONS[name]);
      this.collections.set(name, c);
    }
    return c as unknown as DocCollection<T>;
  }

  async reserveSeq(name: string, n: number): Promise<number> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`reserveSeq: n must be a positive integer, got ${n}`);
    // synchronous from read to write, so concurrent reservations never overlap
    const kv = this.collection<Doc>('kv') as unknown as MemoryCollection<Doc>;
    return kv.incrementNow(SEQ_PREFIX + name, 'value', n) - n + 1;
  }
}

export function createMemoryStore(): Store {
  return new MemoryStore();
}
