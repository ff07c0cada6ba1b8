// The pipeline's driver: reads the event log from its checkpoint, holds events until the event-time
// watermark passes them, feeds them to the engines in order, writes findings, and checkpoints the
// read position together with the engine state so a crash replays without changing any count.
import type { StoredEvent } from '../events/types.js';
import type { Store } from '../store/repository.js';
import type { VigilConfig } from '../config/schema.js';
import { ReorderBuffer } from './reorder-buffer.js';
import type { EngineSet, EngineSnapshot, AccountRecord } from './engine-set.js';
import type { FindingsWriter } from './findings-writer.js';
import { DAY_MS, restoreAccountState } from '../engines/health/account-state.js';

export interface EventSource {
  readBatch(after: number, limit: number): Promise<{ events: StoredEvent[]; position: number }>;
  readSeqs(seqs: number[]): Promise<StoredEvent[]>;
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
  engines: string;
  savedAt: number;
}

interface AccountStateDoc {
  _id: string;
  state: string;
  appliedAt: number;
  appliedId: string;
  recentErrors: AccountRecord['recentErrors'];
  recentTickets: AccountRecord['recentTickets'];
}

const CHECKPOINT_ID = 'checkpoint:pipeline';
/** Event time before any event: the minimum a JS Date can hold, JSON-safe unlike -Infinity. */
const BEFORE_ALL = -8.64e15;
/** Days of history points written at once when event time jumps ahead (the history keeps 90). */
const MAX_DAYS_CLOSED_AT_ONCE = 90;

export interface ProcessorStats {
  readSeq: number;
  held: number;
  watermark: number;
  maxEventTime: number;
  late: number;
  processed: number;
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

  constructor(
    private readonly store: Store,
    private readonly source: EventSource,
    private readonly config: VigilConfig,
    readonly engines: EngineSet,
    readonly writer: FindingsWriter,
    private readonly clock: () => number = Date.now,
    private readonly hooks: ProcessorHooks = {},
  ) {}

  /** Restores engine state and position from the last checkpoint (if any). */
  async restore(): Promise<void> {
    const cp = await this.store.collection<CheckpointDoc>('kv').get(CHECKPOINT_ID);
    const states = await this.store.collection<AccountStateDoc>('accountStates').find({});
    for (const s of states) {
      this.engines.records.set(s._id, {
        state: restoreAccountState(s.state),
        appliedAt: s.appliedAt,
        appliedId: s.appliedId,
        recentErrors: s.recentErrors ?? [],
        recentTickets: s.recentTickets ?? [],
      });
    }
    if (cp) {
      this.engines.restore(JSON.parse(cp.engines) as EngineSnapshot);
      this.readSeq = cp.readSeq;
      this.watermark = cp.watermark;
      this.maxEventTime = cp.maxEventTime;
      this.late = cp.late;
      this.processed = cp.processed;
      this.lastDayClosed = cp.lastDayClosed ?? BEFORE_ALL;
      if (cp.heldSeqs.length > 0) for (const ev of await this.source.readSeqs(cp.heldSeqs)) this.buffer.push(ev);
    }
    await this.writer.load();
    this.lastProgressWall = this.clock();
  }

  /** Reads and processes one batch; returns the number of events consumed from the log. */
  async step(): Promise<number> {
    const cfg = this.config.pipeline;
    const { events: batch, position } = await this.source.readBatch(this.readSeq, cfg.batchSize);
    const now = this.clock();
    const moved = position !== this.readSeq;
    this.readSeq = position;
    let consumed = 0;
    for (const ev of batch) {
      consumed++;
      if (ev.occurredAt <= this.watermark) {
        this.late++;
        this.hooks.onLate?.(ev);
        continue;
      }
      if (ev.occurredAt > this.maxEventTime) this.maxEventTime = ev.occurredAt;
      this.buffer.push(ev);
    }
    if (consumed > 0) this.lastProgressWall = now;
    if (moved && consumed === 0) return this.step();
    await this.release(this.maxEventTime - cfg.allowedLatenessMs);
    this.sinceCheckpoint += consumed;
    if (this.sinceCheckpoint >= cfg.checkpointEvery) await this.checkpoint();
    return consumed;
  }

  /** Processes everything in the log now, then releases every held event (end of a replay). */
  async drain(): Promise<void> {
    while ((await this.step()) > 0);
    await this.release(this.maxEventTime);
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
  }

  private async release(to: number): Promise<void> {
    if (to <= this.watermark) return;
    const released = this.buffer.releaseUpTo(to);
    for (const ev of released) {
      if (this.lastDayClosed + DAY_MS < ev.occurredAt || this.lastDayClosed === BEFORE_ALL) await this.closeDaysBefore(ev.occurredAt);
      this.engines.apply(ev);
    }
    this.processed += released.length;
    await this.closeDaysBefore(to);
    this.watermark = to;
    await this.flush(to);
    await this.writer.commit();
    if (released.length > 0) this.hooks.onProcessed?.(released.length);
  }

  /**
   * Health is snapshotted at the end of every event-time day, so a replay leaves one history
   * point a day for every account, as living through those days would.
   */
  private async closeDaysBefore(t: number): Promise<void> {
    const endOfPreviousDay = Math.floor(t / DAY_MS) * DAY_MS - 1;
    if (this.lastDayClosed === BEFORE_ALL) {
      this.lastDayClosed = endOfPreviousDay;
      return;
    }
    // after a long silence only the most recent days are worth a point each
    if (endOfPreviousDay - this.lastDayClosed > MAX_DAYS_CLOSED_AT_ONCE * DAY_MS) this.lastDayClosed = endOfPreviousDay - MAX_DAYS_CLOSED_AT_ONCE * DAY_MS;
    while (this.lastDayClosed + DAY_MS <= endOfPreviousDay) {
      const dayEnd = this.lastDayClosed + DAY_MS;
      this.lastDayClosed = dayEnd;
      await this.flush(dayEnd);
      await this.writer.writeHealth(this.engines.records.keys(), dayEnd);
    }
  }

  /** Closes windows up to `at`, writes incidents and the touched accounts' health. */
  private async flush(at: number): Promise<void> {
    const findings = this.engines.spikes.advance(at);
    await this.writer.writeIncidents(findings);
    if (this.engines.touched.size > 0) {
      const touched = [...this.engines.touched];
      this.engines.touched.clear();
      await this.writer.writeHealth(touched, at);
    }
  }

  /** Rescores every account at the current watermark (the hourly refresh). */
  async refreshAll(): Promise<number> {
    if (this.watermark === BEFORE_ALL) return 0;
    const n = await this.writer.writeHealth(this.engines.records.keys(), this.watermark);
    await this.writer.commit();
    return n;
  }

  /** Saves dirty account records, then the position and global engine state in one document. */
  async checkpoint(): Promise<void> {
    const dirty = [...this.engines.dirty];
    this.engines.dirty.clear();
    this.engines.pruneClusters();
    const docs: AccountStateDoc[] = [];
    for (const id of dirty) {
      const rec = this.engines.records.get(id);
      if (rec) docs.push({ _id: id, state: JSON.stringify(rec.state), appliedAt: rec.appliedAt, appliedId: rec.appliedId, recentErrors: rec.recentErrors, recentTickets: this.engines.storable(rec).recentTickets });
    }
    await this.store.collection<AccountStateDoc>('accountStates').putMany(docs);
    await this.store.collection<CheckpointDoc>('kv').put({
      _id: CHECKPOINT_ID,
      readSeq: this.readSeq,
      heldSeqs: this.buffer.heldSeqs(),
      watermark: this.watermark,
      maxEventTime: this.maxEventTime,
      late: this.late,
      processed: this.processed,
      lastDayClosed: this.lastDayClosed,
      engines: JSON.stringify(this.engines.snapshot()),
      savedAt: this.clock(),
    });
    this.sinceCheckpoint = 0;
    await this.writer.publish();
  }

  stats(): ProcessorStats {
    return {
      readSeq: this.readSeq,
      held: this.buffer.size,
      watermark: this.watermark,
      maxEventTime: this.maxEventTime,
      late: this.late,
      processed: this.processed,
      accounts: this.engines.records.size,
      clusters: this.engines.clusters.size,
      openIncidents: this.writer.openIncidentCount(),
    };
  }
}

export { BEFORE_ALL };
