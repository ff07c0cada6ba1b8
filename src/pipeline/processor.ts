// The pipeline's driver: reads the event log from its checkpoint, holds events until the event-time
// watermark passes them, feeds them to the engines in order, writes findings, and checkpoints the
// read position together with the engine state so a crash replays without changing any count.
// Accounts are scored at fixed event-time points (the end of each evaluation period they were
// active in, and every day's end), so how the log happened to be cut into steps — a crash, a
// restart, a slow intake — never changes a score, an alert or an outreach decision.
import { deflateRawSync, inflateRawSync, constants as zlibConstants } from 'node:zlib';
import type { StoredEvent } from '../events/types.js';
import type { Store } from '../store/repository.js';
import type { VigilConfig } from '../config/schema.js';
import { ReorderBuffer } from './reorder-buffer.js';
import type { EngineSet, EngineSnapshot, AccountRecord } from './engine-set.js';
import type { AccountMemory, FindingsWriter } from './findings-writer.js';
import { DAY_MS, restoreAccountState } from '../engines/health/account-state.js';
import { putOwned } from '../store/memory/memory-store.js';

export interface EventSource {
  readBatch(after: number, limit: number): Promise<{ events: StoredEvent[]; position: number }>;
  readSeqs(seqs: number[]): Promise<StoredEvent[]>;
  /**
   * A checkpoint now covers every event at or before `seq` (none of them is held): a source that
   * keeps the log only in this process may let their memory go, since it restarts from there.
   */
  covered?(seq: number): Promise<void>;
}

interface CheckpointDoc {
  _id: string;
  readSeq: number;
  heldSeqs: number[];
  watermark: number;
  maxEventTime: number;
  late: number;
  processed: number;
  lastDayClosed: number;
  /** Legacy checkpoints: the engine snapshot inline (account records in accountStates). */
  engines?: string;
  /** Generation of this checkpoint: its engine snapshot is `engines:<gen>` in pipelineState. */
  gen?: number;
  /** Per account bucket, the generation of its document `acct:<bucket>:<gen>` (-1: empty). */
  bucketGens?: number[];
  /** End of the last evaluation period closed (event time). */
  lastPeriodClosed?: number;
  /** Accounts changed since then, to be scored at the end of the open period. */
  pending?: string[];
  savedAt: number;
}

/** What the account page reads (recent errors and messages, redacted). */
interface AccountViewDoc {
  _id: string;
  appliedAt: number;
  recentErrors: AccountRecord['recentErrors'];
  recentTickets: AccountRecord['recentTickets'];
}

/** Legacy account record documents (before records were checkpointed in buckets). */
interface AccountStateDoc extends AccountViewDoc {
  state?: string;
  appliedId?: string;
}

/** An account's record and the writer's memory of it, as kept in a bucket document. */
interface StoredAccount {
  id: string;
  state: unknown;
  appliedAt: number;
  appliedId: string;
  recentErrors: AccountRecord['recentErrors'];
  recentTickets: AccountRecord['recentTickets'];
  memory: AccountMemory;
}

/**
 * A document of pipelineState: a JSON payload in one string field (cheap to store, portable),
 * deflated (`z`) for a durable store, plain (`j`) for the embedded one, which never writes it out.
 */
interface StateDoc {
  _id: string;
  gen: number;
  z?: string;
  j?: string;
}

const CHECKPOINT_ID = 'checkpoint:pipeline';
/** Event time before any event: the minimum a JS Date can hold, JSON-safe unlike -Infinity. */
const BEFORE_ALL = -8.64e15;
/** Days of history points written at once when event time jumps ahead (the history keeps 90). */
const MAX_DAYS_CLOSED_AT_ONCE = 90;
/**
 * Account records are checkpointed in this many documents (by a hash of the account id), and only
 * the documents holding a changed account are written: a few dozen inserts instead of an update per
 * account, which FerretDB pays for with a read of the whole collection each.
 */
const ACCOUNT_BUCKETS = 64;

function bucketOf(accountId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) {
    h ^= accountId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % ACCOUNT_BUCKETS;
}

/**
 * The payload of a state document. For a durable store: JSON deflated (fastest level: the snapshot
 * is mostly repeated keys and digits) and in base64, a fifth of the bytes to write and read back.
 * The embedded store keeps it in this process's memory, where deflating costs more than it saves.
 */
function pack(value: unknown, compress: boolean): Pick<StateDoc, 'z' | 'j'> {
  const json = JSON.stringify(value);
  return compress ? { z: deflateRawSync(json, { level: zlibConstants.Z_BEST_SPEED }).toString('base64') } : { j: json };
}

/** pack() of a value already in JSON. */
function packJson(json: string, compress: boolean): Pick<StateDoc, 'z' | 'j'> {
  return compress ? { z: deflateRawSync(json, { level: zlibConstants.Z_BEST_SPEED }).toString('base64') } : { j: json };
}

/**
 * The JSON array of items already in JSON, built flat by one join: `[` + joined + `]` would be a
 * rope that the store's first look at it (a scan for NUL) copies whole again.
 */
function jsonArray(items: string[]): string {
  const n = items.length;
  if (n === 0) return '[]';
  const first = items[0]!;
  const last = items[n - 1]!;
  items[0] = '[' + first;
  items[n - 1] = (n === 1 ? items[0] : last) + ']';
  const json = items.join(',');
  items[0] = first;
  items[n - 1] = last;
  return json;
}

function unpack<T>(doc: StateDoc): T {
  if (doc.z !== undefined) return JSON.parse(inflateRawSync(Buffer.from(doc.z, 'base64')).toString('utf8')) as T;
  return JSON.parse(doc.j ?? 'null') as T;
}

function bucketDocId(bucket: number, gen: number): string {
  return `acct:${bucket}:${gen}`;
}

export interface ProcessorStats {
  readSeq: number;
  held: number;
  watermark: number;
  maxEventTime: number;
  late: number;
  processed: number;
  /** Account scorings so far (each account with events in a period at its end, every account at a day's end). */
  scored: number;
  /** Checkpoints started since this process restored (by the event count or the wall-time interval). */
  checkpoints: number;
  accounts: number;
  clusters: number;
  openIncidents: number;
}

export interface ProcessorHooks {
  onLate?: (ev: StoredEvent) => void;
  onProcessed?: (n: number) => void;
}

export class Processor {
  private readSeq = 0;
  private buffer = new ReorderBuffer();
  private watermark = BEFORE_ALL;
  private maxEventTime = BEFORE_ALL;
  private late = 0;
  private processed = 0;
  private sinceCheckpoint = 0;
  private lastProgressWall = 0;
  private lastDayClosed = BEFORE_ALL;
  private lastPeriodClosed = BEFORE_ALL;
  /** Accounts changed (events, incident exposure) since the last evaluation point. */
  private readonly pending = new Set<string>();
  /** Engine work (events applied, periods closed, accounts scored) since the event loop last had a turn. */
  private sinceTurn = 0;
  private scored = 0;
  private gen = 0;
  private bucketGens: number[] = new Array<number>(ACCOUNT_BUCKETS).fill(-1);
  private stepLimit: number;
  private lastCommitWall = 0;
  private lastCheckpointWall = 0;
  private checkpoints = 0;
  private lastViewsWall = 0;
  private commitInFlight: Promise<void> | null = null;
  private checkpointInFlight: Promise<void> | null = null;
  private checkpointError: unknown = null;
  /** appliedId of each account's view document as last written (the view changes only with events). */
  private readonly viewWritten = new Map<string, string>();
  /**
   * Each record's recent errors and messages (redacted) as JSON, as of its last applied event: the
   * lists change only with an applied event, and most of a checkpoint's accounts were only scored
   * (advanced) since the last one, so their lists are not encoded again.
   */
  private readonly recentJson = new WeakMap<AccountRecord, { appliedId: string; json: string }>();

  constructor(
    private readonly store: Store,
    private readonly source: EventSource,
    private readonly config: VigilConfig,
    readonly engines: EngineSet,
    readonly writer: FindingsWriter,
    private readonly clock: () => number = Date.now,
    private readonly hooks: ProcessorHooks = {},
  ) {
    this.stepLimit = config.pipeline.batchSize;
  }

  /** Restores engine state and position from the last checkpoint (if any). */
  async restore(): Promise<void> {
    const cp = await this.store.collection<CheckpointDoc>('kv').get(CHECKPOINT_ID);
    let memory: Map<string, AccountMemory> | undefined;
    if (cp?.gen !== undefined && cp.bucketGens) {
      memory = new Map();
      const state = this.store.collection<StateDoc>('pipelineState');
      const ids = [`engines:${cp.gen}`, ...cp.bucketGens.flatMap((g, b) => (g >= 0 ? [bucketDocId(b, g)] : []))];
      const docs = new Map((await state.getMany(ids)).map((d) => [d._id, d]));
      const engines = docs.get(ids[0]!);
      if (!engines) throw new Error(`checkpoint ${cp.gen}: its engine snapshot ${ids[0]} is missing`);
      for (const id of ids.slice(1)) {
        const doc = docs.get(id);
        if (!doc) throw new Error(`checkpoint ${cp.gen}: account document ${id} is missing`);
        for (const a of unpack<StoredAccount[]>(doc)) {
          this.engines.records.set(a.id, {
            state: restoreAccountState(a.state as never),
            appliedAt: a.appliedAt,
            appliedId: a.appliedId,
            recentErrors: a.recentErrors,
            recentTickets: a.recentTickets,
          });
          memory.set(a.id, a.memory);
          this.viewWritten.set(a.id, a.appliedId);
        }
      }
      this.engines.restore(unpack<EngineSnapshot>(engines));
      // documents of a checkpoint that a crash kept from being written: the next one rewrites its own
      await state.deleteMany({ gen: { $gt: cp.gen } });
      this.gen = cp.gen;
      this.bucketGens = [...cp.bucketGens];
      this.lastPeriodClosed = cp.lastPeriodClosed ?? BEFORE_ALL;
      for (const id of cp.pending ?? []) this.pending.add(id);
    } else {
      const states = await this.store.collection<AccountStateDoc>('accountStates').find({});
      for (const s of states) {
        if (s.state === undefined) continue;
        this.engines.records.set(s._id, {
          state: restoreAccountState(s.state),
          appliedAt: s.appliedAt,
          appliedId: s.appliedId ?? '',
          recentErrors: s.recentErrors ?? [],
          recentTickets: s.recentTickets ?? [],
        });
      }
      if (cp?.engines) this.engines.restore(JSON.parse(cp.engines) as EngineSnapshot);
    }
    if (cp) {
      this.readSeq = cp.readSeq;
      this.watermark = cp.watermark;
      this.maxEventTime = cp.maxEventTime;
      this.late = cp.late;
      this.processed = cp.processed;
      this.lastDayClosed = cp.lastDayClosed ?? BEFORE_ALL;
      if (cp.heldSeqs.length > 0) for (const ev of await this.source.readSeqs(cp.heldSeqs)) this.buffer.push(ev);
    }
    if (this.lastPeriodClosed === BEFORE_ALL && this.lastDayClosed !== BEFORE_ALL) this.lastPeriodClosed = this.lastDayClosed;
    this.engines.touched.clear();
    this.engines.dirty.clear();
    await this.writer.load(memory);
    this.lastProgressWall = this.clock();
    this.lastCommitWall = this.clock();
    this.lastCheckpointWall = this.clock();
  }

  /** Reads and processes one batch; returns the number of events consumed from the log. */
  async step(): Promise<number> {
    this.throwCheckpointError();
    const cfg = this.config.pipeline;
    const limit = this.stepLimit;
    const { events: batch, position } = await this.source.readBatch(this.readSeq, limit);
    const now = this.clock();
    const moved = position !== this.readSeq;
    this.readSeq = position;
    let consumed = 0;
    let late = 0;
    for (const ev of batch) {
      consumed++;
      if (ev.occurredAt <= this.watermark) {
        this.late++;
        late++;
        this.hooks.onLate?.(ev);
        continue;
      }
      if (ev.occurredAt > this.maxEventTime) this.maxEventTime = ev.occurredAt;
      this.buffer.push(ev);
    }
    // their errors and sentiment are worked out on the worker while the engines apply the first of them
    this.engines.preparer.submit(late === 0 ? batch : batch.filter((ev) => ev.occurredAt > this.watermark));
    if (consumed > 0) this.lastProgressWall = now;
    if (moved && consumed === 0) return this.step();
    // behind (the read came back full): read more at once next time; caught up: back to the base size
    const behind = consumed >= limit;
    this.stepLimit = behind ? Math.min(limit * 2, Math.max(cfg.maxStepEvents, cfg.batchSize)) : cfg.batchSize;
    await this.release(this.maxEventTime - cfg.allowedLatenessMs);
    this.sinceCheckpoint += consumed;
    // by wall time, so a backfill pays for a few checkpoints a minute however fast it goes (each
    // writes nearly every account), and by events, so a replay after a crash stays bounded
    if (this.sinceCheckpoint >= cfg.checkpointEvery || (this.sinceCheckpoint > 0 && this.clock() - this.lastCheckpointWall >= cfg.checkpointIntervalMs)) await this.startCheckpoint();
    else if (this.clock() - this.lastCommitWall >= (behind ? cfg.behindCommitMs : cfg.liveCommitMs)) await this.startCommit();
    return consumed;
  }

  /** Processes everything in the log now, then releases every held event (end of a replay). */
  async drain(): Promise<void> {
    while ((await this.step()) > 0);
    await this.release(this.maxEventTime);
    // the accounts of the last, unfinished period are scored as of the last event
    await this.evaluate(this.takePending(), this.maxEventTime);
    await this.checkpoint();
  }

  /**
   * When no events arrive, event time still passes: move the watermark on by the wall time since
   * the last progress so windows close and incidents resolve during quiet periods.
   */
  async tickIdle(idleAfterMs: number): Promise<void> {
    const now = this.clock();
    const idle = now - this.lastProgressWall;
    if (idle < idleAfterMs || this.maxEventTime === BEFORE_ALL) return;
    this.maxEventTime += idle;
    this.lastProgressWall = now;
    await this.release(this.maxEventTime - this.config.pipeline.allowedLatenessMs);
    await this.commit();
  }

  private async release(to: number): Promise<void> {
    if (to <= this.watermark) return;
    const released = this.buffer.releaseUpTo(to);
    const period = this.config.pipeline.evaluationPeriodMs;
    const yieldEvery = this.config.pipeline.yieldEveryEvents;
    let nextPoint = this.lastPeriodClosed + period;
    for (const ev of released) {
      if (ev.occurredAt > nextPoint || this.lastPeriodClosed === BEFORE_ALL) {
        await this.closePeriodsBefore(ev.occurredAt);
        nextPoint = this.lastPeriodClosed + period;
      }
      this.engines.apply(ev);
      if (++this.sinceTurn >= yieldEvery) await this.giveTurn();
    }
    this.processed += released.length;
    this.collectTouched();
    await this.closePeriodsBefore(to + 1);
    this.watermark = to;
    // incidents as soon as their buckets close (alert speed); the accounts they expose are scored at the period's end
    await this.writeIncidents(to);
    if (released.length > 0) this.hooks.onProcessed?.(released.length);
  }

  /**
   * Lets the intake and the API answer in between: a large step, or days of evaluation points
   * closed at once after a silence, are seconds of engine work. The order of the work is the same
   * whether or not a turn is given, so it never changes an outcome.
   */
  private async giveTurn(): Promise<void> {
    this.sinceTurn = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private collectTouched(): void {
    for (const id of this.engines.touched) this.pending.add(id);
    this.engines.touched.clear();
  }

  private takePending(): string[] {
    this.collectTouched();
    const ids = [...this.pending];
    this.pending.clear();
    return ids;
  }

  private async writeIncidents(at: number): Promise<void> {
    await this.writer.writeIncidents(this.engines.spikes.advance(at));
    this.collectTouched();
  }

  /**
   * Closes every evaluation period that ends before `t`: incidents up to its end, then the accounts
   * changed in it are scored as of its end (every account at a day's end, one history point a day).
   */
  private async closePeriodsBefore(t: number): Promise<void> {
    const period = this.config.pipeline.evaluationPeriodMs;
    const lastEnd = Math.floor(t / period) * period - 1;
    if (this.lastPeriodClosed === BEFORE_ALL) {
      this.lastPeriodClosed = lastEnd;
      if (this.lastDayClosed === BEFORE_ALL) this.lastDayClosed = Math.floor(t / DAY_MS) * DAY_MS - 1;
      return;
    }
    // after a long silence only the most recent days are worth a point each
    const earliest = Math.floor(t / DAY_MS) * DAY_MS - 1 - MAX_DAYS_CLOSED_AT_ONCE * DAY_MS;
    if (this.lastPeriodClosed < earliest) {
      await this.writeIncidents(this.lastPeriodClosed + period);
      await this.evaluate(this.takePending(), this.lastPeriodClosed + period);
      this.lastPeriodClosed = earliest;
      this.lastDayClosed = Math.max(this.lastDayClosed, earliest);
    }
    const yieldEvery = this.config.pipeline.yieldEveryEvents;
    while (this.lastPeriodClosed + period <= lastEnd) {
      const end = this.lastPeriodClosed + period;
      this.lastPeriodClosed = end;
      await this.writeIncidents(end);
      const dayEnd = (end + 1) % DAY_MS === 0;
      if (dayEnd) {
        this.takePending();
        this.lastDayClosed = end;
        await this.evaluate([...this.engines.records.keys()], end);
      } else if (this.pending.size > 0) await this.evaluate(this.takePending(), end);
      // closing a period costs about what applying an event does (the spike tracker's buckets)
      if (++this.sinceTurn >= yieldEvery) await this.giveTurn();
    }
  }

  /**
   * Scores the accounts as of `at`, a turn of the event loop given every yieldEveryEvents of them
   * (a day's end scores every account). Each account is scored on its own, so the cut changes nothing.
   */
  private async evaluate(accountIds: string[], at: number): Promise<number> {
    const chunk = this.config.pipeline.yieldEveryEvents;
    let scored = 0;
    for (let from = 0; from < accountIds.length; from += chunk) {
      if (from > 0 || this.sinceTurn >= chunk) await this.giveTurn();
      const part = from === 0 && accountIds.length <= chunk ? accountIds : accountIds.slice(from, from + chunk);
      const n = await this.writer.writeHealth(part, at);
      scored += n;
      this.scored += n;
      this.sinceTurn += part.length;
      // scoring advances account state, and exposure changes may have marked accounts touched
      this.engines.touched.clear();
    }
    return scored;
  }

  /**
   * Rescores every account (the hourly refresh) as of the last closed evaluation point, a time a
   * replay also scores at, so a refresh never makes a replay differ.
   */
  async refreshAll(): Promise<number> {
    if (this.lastPeriodClosed === BEFORE_ALL) return 0;
    // accounts changed by a step that gave this job its turn stay due at their period's end
    this.collectTouched();
    const n = await this.evaluate([...this.engines.records.keys()], this.lastPeriodClosed);
    await this.commit();
    return n;
  }

  /** Writes what people read: health, history, outreach (with the alerts), and changed account pages. */
  async commit(): Promise<void> {
    await this.startCommit(true);
    await this.settleCommit();
  }

  /**
   * Starts a commit and returns once the previous one has finished: the store writes of one commit
   * overlap the engines' work of the next step, and commits stay in order.
   */
  private async startCommit(withViews = this.clock() - this.lastViewsWall >= this.config.pipeline.behindCommitMs): Promise<void> {
    await this.settleCommit();
    this.lastCommitWall = this.clock();
    const views: AccountViewDoc[] = [];
    if (withViews) this.lastViewsWall = this.lastCommitWall;
    for (const id of withViews ? this.engines.dirty : []) {
      const rec = this.engines.records.get(id);
      if (!rec || this.viewWritten.get(id) === rec.appliedId) continue;
      this.viewWritten.set(id, rec.appliedId);
      const stored = this.engines.storable(rec);
      // the record's own list changes with the next error: the view holds a copy (its items never change)
      views.push({ _id: id, appliedAt: rec.appliedAt, recentErrors: rec.recentErrors.slice(), recentTickets: stored.recentTickets });
    }
    // both calls take what they write before their first await; the views are built for this write alone
    const running = Promise.all([this.writer.commit(), putOwned(this.store.collection<AccountViewDoc>('accountStates'), views)]).then(() => undefined);
    this.commitInFlight = running;
    // a failure is reported by the next settle, not as an unhandled rejection now
    running.catch(() => undefined);
  }

  private async settleCommit(): Promise<void> {
    const running = this.commitInFlight;
    this.commitInFlight = null;
    if (running) await running;
  }

  /**
   * Commits what people read, then saves the changed account records (by bucket) and the engine
   * snapshot as new documents of the next generation, then the checkpoint naming them, then drops
   * the superseded documents. A crash at any point leaves the previous checkpoint whole.
   */
  async checkpoint(): Promise<void> {
    await this.startCheckpoint();
    await this.settleCheckpoint();
  }

  /**
   * Takes the checkpoint's state now and writes it in the background, once the commit and the
   * alerts it depends on are stored, while the next steps run (the alert outbox is several store
   * round trips an alert). Returns once the previous checkpoint is written: one at a time.
   */
  private async startCheckpoint(): Promise<void> {
    await this.settleCheckpoint();
    await this.startCommit(true);
    const committed = this.commitInFlight ?? Promise.resolve();
    this.engines.pruneClusters();
    const gen = this.gen + 1;
    const buckets = new Set<number>();
    for (const id of this.engines.dirty) buckets.add(bucketOf(id));
    this.engines.dirty.clear();
    // each bucket's StoredAccount[] as JSON text, an account at a time (see accountJson)
    const members = new Map<number, string[]>();
    for (const b of buckets) members.set(b, []);
    if (buckets.size > 0) {
      for (const [id, rec] of this.engines.records) {
        const list = members.get(bucketOf(id));
        if (list) list.push(this.accountJson(id, rec));
      }
    }
    const compress = this.store.durable;
    const docs: StateDoc[] = [{ _id: `engines:${gen}`, gen, ...pack(this.engines.snapshot(), compress) }];
    const bucketGens = [...this.bucketGens];
    const superseded = [`engines:${this.gen}`];
    for (const [b, list] of members) {
      docs.push({ _id: bucketDocId(b, gen), gen, ...packJson(jsonArray(list), compress) });
      if (bucketGens[b]! >= 0) superseded.push(bucketDocId(b, bucketGens[b]!));
      bucketGens[b] = gen;
    }
    const cp: CheckpointDoc = {
      _id: CHECKPOINT_ID,
      readSeq: this.readSeq,
      heldSeqs: this.buffer.heldSeqs(),
      watermark: this.watermark,
      maxEventTime: this.maxEventTime,
      late: this.late,
      processed: this.processed,
      lastDayClosed: this.lastDayClosed,
      gen,
      bucketGens,
      lastPeriodClosed: this.lastPeriodClosed,
      pending: [...this.pending],
      savedAt: this.clock(),
    };
    // what comes next builds on this generation; a failed write fails the next step, and the
    // daemon restarts from the last checkpoint written
    this.gen = gen;
    this.bucketGens = bucketGens;
    this.sinceCheckpoint = 0;
    this.lastCheckpointWall = this.clock();
    this.checkpoints++;
    const state = this.store.collection<StateDoc>('pipelineState');
    // every event at or before this seq is in the checkpoint's state: none is read again from the log
    let covered = cp.readSeq;
    for (const seq of cp.heldSeqs) if (seq <= covered) covered = seq - 1;
    const writing = (async () => {
      await committed;
      await state.putMany(docs);
      await this.store.collection<CheckpointDoc>('kv').put(cp);
      await state.deleteMany({ _id: { $in: superseded } });
      await this.source.covered?.(covered);
      await this.writer.publish();
    })();
    this.checkpointInFlight = writing;
    writing.catch((err: unknown) => {
      this.checkpointError ??= err;
    });
  }

  /**
   * An account as a StoredAccount in JSON, the same text JSON.stringify gives for it (field order
   * included), with the recent lists reused from the last checkpoint when no event was applied since.
   */
  private accountJson(id: string, rec: AccountRecord): string {
    let recent = this.recentJson.get(rec);
    if (!recent || recent.appliedId !== rec.appliedId) {
      const stored = this.engines.storable(rec);
      recent = { appliedId: rec.appliedId, json: `"recentErrors":${JSON.stringify(rec.recentErrors)},"recentTickets":${JSON.stringify(stored.recentTickets)}` };
      this.recentJson.set(rec, recent);
    }
    const head: Pick<StoredAccount, 'id' | 'state' | 'appliedAt' | 'appliedId'> = { id, state: rec.state, appliedAt: rec.appliedAt, appliedId: rec.appliedId };
    const json = JSON.stringify(head);
    return `${json.slice(0, -1)},${recent.json},"memory":${JSON.stringify(this.writer.memoryOf(id))}}`;
  }

  private async settleCheckpoint(): Promise<void> {
    const writing = this.checkpointInFlight;
    this.checkpointInFlight = null;
    if (writing) await writing;
    this.throwCheckpointError();
  }

  private throwCheckpointError(): void {
    const err = this.checkpointError;
    this.checkpointError = null;
    if (err) throw err;
  }

  stats(): ProcessorStats {
    return {
      readSeq: this.readSeq,
      held: this.buffer.size,
      watermark: this.watermark,
      maxEventTime: this.maxEventTime,
      late: this.late,
      processed: this.processed,
      scored: this.scored,
      checkpoints: this.checkpoints,
      accounts: this.engines.records.size,
      clusters: this.engines.clusters.size,
      openIncidents: this.writer.openIncidentCount(),
    };
  }
}

export { BEFORE_ALL };
