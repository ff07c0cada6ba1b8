// The MongoDB source: reads the support platform's own ticket-event collection into the event log,
// in ascending `_id` order from a position kept in kv (woken by a change stream where the server has them).
import { MongoClient, ObjectId, type ChangeStream, type Collection, type Document } from 'mongodb';
import type { Doc, DocCollection } from '../../store/repository.js';
import type { VigilEvent } from '../../events/types.js';
import { validateEvent, type EventLimits, type Problem } from '../../events/validate.js';
import { serverConfig } from '../../config/schema.js';
import { checkMapping, mapSourceDocument, sourceIdString, type FieldMapping } from './field-mapping.js';

/** The few pino methods the source uses (a pino logger fits). */
export interface SourceLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface MongoSourceOptions {
  uri: string;
  database: string;
  collection: string;
  /** Wait between polls when caught up (and the safety-net interval beside a change stream). */
  pollMs: number;
  /** Vigil field -> source field (dotted paths allowed). */
  mapping: FieldMapping;
  /** Where the resume position is kept (the store's kv collection). */
  kv: DocCollection<Doc>;
  /** Durable append to the event log; the position advances only after it resolves. */
  append: (events: VigilEvent[]) => Promise<unknown>;
  /** Told about each source document that is not a valid event (it is skipped, never retried). */
  onRejected?: (docId: string, errors: Problem[]) => void;
  /** Limits of the event validator; default: the server.maxTextChars default, as for HTTP intake. */
  limits?: EventLimits;
  logger?: SourceLogger;
  /** Source documents read per poll. Default DEFAULT_SOURCE_BATCH. */
  batchSize?: number;
  /**
   * ObjectIds are made by the writers before their insert commits, so a document with a smaller
   * _id can become visible after a larger one was read. Documents whose ObjectId is younger than
   * this are left for a later poll, so the position never passes an insert still in flight.
   * Default DEFAULT_SETTLE_MS; 0 reads everything at once.
   */
  settleMs?: number;
  /** Wall clock, for the settle window. */
  clock?: () => number;
}

/**
 * Used until sources.mongo.batchSize exists in the config schema: matches pipeline.batchSize, a
 * size whose store round trips are already amortized, and one event-log append per poll.
 */
export const DEFAULT_SOURCE_BATCH = 2000;

/**
 * Used until sources.mongo.settleMs exists in the config schema: an insert is visible within
 * milliseconds of its ObjectId being made; 2 s also absorbs writer clocks a little behind ours,
 * and costs little latency next to the minute-scale windows downstream.
 */
export const DEFAULT_SETTLE_MS = 2000;

/** The persisted read position, as a kv document. */
interface PositionDoc {
  _id: string;
  /** The last processed source `_id`, as text (hex for ObjectId). */
  lastId: string;
  lastIdType: 'objectId' | 'string' | 'number';
  updatedAt: number;
}

export interface MongoSourceStats {
  mode: 'stopped' | 'polling' | 'change-stream';
  delivered: number;
  rejected: number;
  pollErrors: number;
  lastId: string | null;
}

type IdValue = ObjectId | string | number;

export class MongoSource {
  private client: MongoClient | undefined;
  private coll: Collection<Document> | undefined;
  private changeStream: ChangeStream | undefined;
  private readonly positionKey: string;
  private readonly batchSize: number;
  private readonly limits: EventLimits;
  private readonly settleMs: number;
  private readonly clock: () => number;
  /** Position after the last persisted batch; undefined = not loaded yet, null = from the start. */
  private position: IdValue | null | undefined;
  /** Serializes polls: pollOnce() from a test and the loop never read the same batch twice at once. */
  private chain: Promise<unknown> = Promise.resolve();
  private running = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly counters = { delivered: 0, rejected: 0, pollErrors: 0 };
  private mode: MongoSourceStats['mode'] = 'stopped';

  constructor(private readonly opts: MongoSourceOptions) {
    checkMapping(opts.mapping, 'sources.mongo.mapping');
    this.positionKey = `source:mongo:${opts.database}.${opts.collection}`;
    this.batchSize = opts.batchSize ?? DEFAULT_SOURCE_BATCH;
    this.limits = opts.limits ?? { maxTextChars: serverConfig.parse({}).maxTextChars };
    this.settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
    this.clock = opts.clock ?? Date.now;
  }

  /**
   * Start reading in the background and return at once: a source database that is down does not
   * hold up the daemon (reads are retried every pollMs, failures counted and logged).
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.mode = 'polling';
    this.loopDone = this.loop();
  }

  /** Stop reading and disconnect; waits for the batch in flight, whose position is saved if it got that far. */
  async stop(): Promise<void> {
    this.running = false;
    this.mode = 'stopped';
    this.wake?.();
    await this.changeStream?.close().catch(() => undefined);
    this.changeStream = undefined;
    // Closing first interrupts a read stuck waiting for an unreachable source; that batch is
    // simply read again next time (its position was not saved).
    const client = this.client;
    this.client = undefined;
    this.coll = undefined;
    await client?.close().catch(() => undefined);
    await this.loopDone;
    this.loopDone = undefined;
    await this.chain.catch(() => undefined);
  }

  stats(): MongoSourceStats {
    const p = this.position;
    return { mode: this.mode, ...this.counters, lastId: p === undefined || p === null ? null : sourceIdString(p) };
  }

  /**
   * Read one batch after the saved position, deliver the valid events, report the invalid ones,
   * and save the position. Returns how many source documents the batch held.
   */
  pollOnce(): Promise<number> {
    const run = this.chain.then(() => this.readBatch());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async readBatch(): Promise<number> {
    const coll = await this.connect();
    if (this.position === undefined) this.position = await this.loadPosition();
    const range: Document = {};
    if (this.position !== null) range.$gt = this.position;
    // ObjectIds sort by their creation second: stop short of the seconds still settling.
    // (Only when the ids are ObjectIds: other id types sort apart from them and have no time.)
    if (this.settleMs > 0 && (await this.idsAreObjectIds(coll))) {
      range.$lt = ObjectId.createFromTime(Math.floor((this.clock() - this.settleMs) / 1000));
    }
    const filter: Document = Object.keys(range).length > 0 ? { _id: range } : {};
    const docs = await coll.find(filter).sort({ _id: 1 }).limit(this.batchSize).toArray();
    if (docs.length === 0) return 0;

    const events: VigilEvent[] = [];
    const rejected: Array<{ docId: string; errors: Problem[] }> = [];
    for (const doc of docs) {
      const raw = mapSourceDocument(doc, this.opts.mapping);
      const checked = validateEvent(raw, this.limits);
      if (checked.ok) events.push(checked.value);
      else rejected.push({ docId: sourceIdString(doc._id), errors: checked.errors });
    }
    // Durable first: a crash before the position is saved re-reads this batch, and the event log's
    // dedupe by id makes that harmless.
    if (events.length > 0) await this.opts.append(events);
    for (const r of rejected) {
      this.opts.logger?.warn({ source: this.positionKey, docId: r.docId, errors: r.errors }, 'source document rejected');
      this.opts.onRejected?.(r.docId, r.errors);
    }
    const last = docs[docs.length - 1]!._id as IdValue;
    await this.savePosition(last);
    this.position = last;
    this.counters.delivered += events.length;
    this.counters.rejected += rejected.length;
    return docs.length;
  }

  /** Whether the ids being read are ObjectIds: known from the position, or from the first document. */
  private async idsAreObjectIds(coll: Collection<Document>): Promise<boolean> {
    if (this.position !== null && this.position !== undefined) return this.position instanceof ObjectId;
    const first = await coll.find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(1).next();
    return first?._id instanceof ObjectId;
  }

  private async loop(): Promise<void> {
    try {
      await this.openChangeStream();
    } catch (err) {
      this.opts.logger?.warn({ source: this.positionKey, err }, 'source not reachable yet; polling');
    }
    while (this.running) {
      let full = false;
      try {
        full = (await this.pollOnce()) === this.batchSize;
      } catch (err) {
        // The source or the store is away: keep the position, try again after a pause.
        if (!this.running) break;
        this.counters.pollErrors++;
        this.opts.logger?.error({ source: this.positionKey, err }, 'source poll failed');
      }
      // A full batch means there is more right now: read on without waiting.
      if (!full && this.running) await this.sleep(this.opts.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(this.wakeTimer);
        this.wakeTimer = undefined;
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      this.wakeTimer = setTimeout(done, ms);
    });
  }

  /**
   * Use a change stream as the wake-up signal where the server has one (replica sets); the read
   * itself stays the same `_id`-ordered query, so there is one position and one resume rule.
   */
  private async openChangeStream(): Promise<void> {
    const coll = await this.connect();
    let cs: ChangeStream | undefined;
    try {
      cs = coll.watch([{ $match: { operationType: 'insert' } }]);
      // The stream opens lazily: the first read is what tells whether the server supports it.
      await cs.tryNext();
    } catch (err) {
      await cs?.close().catch(() => undefined);
      this.opts.logger?.info(
        { source: this.positionKey, reason: (err as Error).message },
        'change streams not available on the source; polling',
      );
      return;
    }
    if (!this.running) {
      await cs.close().catch(() => undefined);
      return;
    }
    this.changeStream = cs;
    this.mode = 'change-stream';
    this.opts.logger?.info({ source: this.positionKey }, 'reading the source by change stream');
    void (async () => {
      try {
        while (this.running && this.changeStream === cs) {
          if ((await cs.next()) !== null) this.wake?.();
        }
      } catch (err) {
        if (!this.running) return;
        // Not resumable by the driver: polling alone still reads everything.
        this.opts.logger?.warn({ source: this.positionKey, err }, 'change stream ended; polling');
        this.mode = 'polling';
        this.changeStream = undefined;
        await cs.close().catch(() => undefined);
      }
    })();
  }

  private async connect(): Promise<Collection<Document>> {
    if (this.coll) return this.coll;
    this.client ??= new MongoClient(this.opts.uri);
    await this.client.connect();
    this.coll = this.client.db(this.opts.database).collection(this.opts.collection);
    return this.coll;
  }

  private async loadPosition(): Promise<IdValue | null> {
    const doc = (await this.opts.kv.get(this.positionKey)) as PositionDoc | null;
    if (!doc) return null;
    switch (doc.lastIdType) {
      case 'objectId':
        return new ObjectId(doc.lastId);
      case 'number':
        return Number(doc.lastId);
      default:
        return doc.lastId;
    }
  }

  private async savePosition(id: IdValue): Promise<void> {
    let lastIdType: PositionDoc['lastIdType'];
    if (id instanceof ObjectId) lastIdType = 'objectId';
    else if (typeof id === 'number') lastIdType = 'number';
    else if (typeof id === 'string') lastIdType = 'string';
    else throw new Error(`source ${this.positionKey}: _id of type ${typeof id} cannot be a resume position (use ObjectId, string or number ids)`);
    const doc: PositionDoc = { _id: this.positionKey, lastId: sourceIdString(id), lastIdType, updatedAt: Date.now() };
    await (this.opts.kv as DocCollection<PositionDoc>).put(doc);
  }
}
