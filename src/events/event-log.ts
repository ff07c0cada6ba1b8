// The durable, idempotent event log, as numbered segments: each accepted intake batch becomes one
// document read back by its `_id` (the one lookup FerretDB serves from an index; it scans the whole
// collection for any other query). A marker document per event id makes appends idempotent.
import type { DocCollection, Store } from '../store/repository.js';
import type { StoredEvent, VigilEvent } from './types.js';

export interface AppendResult {
  accepted: number;
  duplicates: number;
  firstSeq?: number;
  lastSeq?: number;
}

/** Marks an event id as taken by a segment: a resend of the id is a duplicate. */
interface MarkerDoc {
  _id: string;
  seg: number;
  /** Wall time of the marker's write. */
  at: number;
}

interface SegmentDoc {
  _id: string;
  no: number;
  receivedAt: number;
  /** The segment's events as JSON text: one string field is cheap to store and portable. */
  events: string;
}

/** Positions within a segment: an event's seq is segment * SEG_SPAN + index. */
export const SEG_SPAN = 65_536;
const SEG_COUNTER = 'eventSegments';
/** Segments looked ahead when the next one is missing, to tell a gap from the end of the log. */
const GAP_PROBE = 8;

export function segmentId(no: number): string {
  return `seg:${String(no).padStart(12, '0')}`;
}

/**
 * Some events of a batch were claimed by a write that has not finished (or died) less than
 * `reclaimAfterMs` ago: the caller should retry later (HTTP 503 with Retry-After).
 */
export class WriteInFlightError extends Error {
  readonly code = 'WRITE_IN_FLIGHT';
  constructor(readonly ids: string[], readonly retryAfterMs: number) {
    super(`${ids.length} event(s) are being written by another request; retry in ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'WriteInFlightError';
  }
}

export interface EventLogOptions {
  clock?: () => number;
  /** A marker whose segment is still missing after this long belongs to a write that died. */
  reclaimAfterMs?: number;
}

/** Long enough for any live segment write to finish; short enough for a client's retry. */
const DEFAULT_RECLAIM_AFTER_MS = 5000;

export interface ReadBatch {
  events: StoredEvent[];
  /** Where the next read starts: past every event returned and every segment passed over. */
  position: number;
}

export class EventLog {
  private readonly markers: DocCollection<MarkerDoc>;
  private readonly segments: DocCollection<SegmentDoc>;
  private readonly clock: () => number;
  private readonly reclaimAfterMs: number;
  /** Wall time a missing segment was first noticed by the reader. */
  private readonly gapSeen = new Map<number, number>();

  constructor(
    private readonly store: Store,
    opts: EventLogOptions = {},
  ) {
    this.markers = store.collection<MarkerDoc>('eventIds');
    this.segments = store.collection<SegmentDoc>('eventSegments');
    this.clock = opts.clock ?? Date.now;
    this.reclaimAfterMs = opts.reclaimAfterMs ?? DEFAULT_RECLAIM_AFTER_MS;
  }

  /**
   * Stores the events not seen before, as one segment per call (split at SEG_SPAN). Markers are
   * written first, the segment after; if a crash fell between the two, a later resend finds
   * markers whose segment never appeared and takes those events over.
   */
  async append(events: VigilEvent[], receivedAt: number): Promise<AppendResult> {
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    const unique: VigilEvent[] = [];
    const seen = new Set<string>();
    for (const e of events) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      unique.push(e);
    }
    let accepted = 0;
    let firstSeq: number | undefined;
    let lastSeq: number | undefined;
    const inFlight: string[] = [];
    for (let i = 0; i < unique.length; i += SEG_SPAN) {
      const part = unique.slice(i, i + SEG_SPAN);
      const no = await this.store.reserveSeq(SEG_COUNTER, 1);
      const now = this.clock();
      const res = await this.markers.insertNew(part.map((e) => ({ _id: e.id, seg: no, at: now })));
      const taken = new Set(res.inserted);
      if (res.duplicates.length > 0) {
        const { reclaimed, pending } = await this.reclaim(res.duplicates, no);
        for (const id of reclaimed) taken.add(id);
        inFlight.push(...pending);
      }
      const mine = part.filter((e) => taken.has(e.id));
      const stored: StoredEvent[] = mine.map((e, k) => ({ ...e, seq: no * SEG_SPAN + k, receivedAt }));
      await this.segments.put({ _id: segmentId(no), no, receivedAt, events: JSON.stringify(stored) });
      if (stored.length > 0) {
        firstSeq ??= stored[0]!.seq;
        lastSeq = stored[stored.length - 1]!.seq;
        accepted += stored.length;
      }
    }
    if (inFlight.length > 0) throw new WriteInFlightError(inFlight, this.reclaimAfterMs);
    return { accepted, duplicates: events.length - accepted, firstSeq, lastSeq };
  }

  /** Sorts duplicate ids into true duplicates, ids taken over from a dead write, and ids still in flight. */
  private async reclaim(ids: string[], no: number): Promise<{ reclaimed: string[]; pending: string[] }> {
    // one query for all of them: on FerretDB every lookup reads the whole collection
    const markers = await this.markers.getMany(ids);
    const bySeg = new Map<number, MarkerDoc[]>();
    for (const m of markers) if (m.seg !== no) bySeg.set(m.seg, [...(bySeg.get(m.seg) ?? []), m]);
    const reclaimed: string[] = [];
    const pending: string[] = [];
    for (const [seg, list] of bySeg) {
      if (await this.segments.get(segmentId(seg))) continue;
      if (list.some((m) => this.clock() - m.at < this.reclaimAfterMs)) {
        pending.push(...list.map((m) => m._id));
        continue;
      }
      // One claim document per dead segment (an insert only one writer can win) instead of an
      // update per marker: on FerretDB every single-document operation reads the whole collection.
      const claim = await this.store.collection<{ _id: string; by: number; at: number }>('kv').insertNew([{ _id: `reclaimed:${seg}`, by: no, at: this.clock() }]);
      if (claim.inserted.length > 0) reclaimed.push(...list.map((m) => m._id));
    }
    return { reclaimed, pending };
  }

  private async highestSegment(): Promise<number> {
    const doc = await this.store.collection<{ _id: string; value: number }>('kv').get(`seq:${SEG_COUNTER}`);
    return doc?.value ?? 0;
  }

  /**
   * Up to about `limit` events after position `after`, in order, whole segments at a time. A
   * missing segment with later ones present is a write in flight: it is waited for `gapWaitMs`,
   * then passed over.
   */
  async readBatch(after: number, limit: number, gapWaitMs: number): Promise<ReadBatch> {
    const events: StoredEvent[] = [];
    let no = Math.floor(after / SEG_SPAN);
    let position = after;
    if (no > 0 && after % SEG_SPAN !== SEG_SPAN - 1) {
      const doc = await this.segments.get(segmentId(no));
      if (doc) for (const e of JSON.parse(doc.events) as StoredEvent[]) if (e.seq > after) events.push(e);
      position = no * SEG_SPAN + SEG_SPAN - 1;
      if (!doc) position = after;
    }
    no++;
    while (events.length < limit) {
      const doc = await this.segments.get(segmentId(no));
      if (!doc) {
        if (!(await this.laterSegmentExists(no))) break;
        const now = this.clock();
        const since = this.gapSeen.get(no) ?? now;
        this.gapSeen.set(no, since);
        if (now - since < gapWaitMs) break;
        this.gapSeen.delete(no);
      } else for (const e of JSON.parse(doc.events) as StoredEvent[]) events.push(e);
      position = no * SEG_SPAN + SEG_SPAN - 1;
      no++;
    }
    return { events, position };
  }

  /** Up to about `limit` events after position `seq` (gaps passed at once). */
  async readAfter(seq: number, limit: number): Promise<StoredEvent[]> {
    return (await this.readBatch(seq, limit, 0)).events;
  }

  private async laterSegmentExists(no: number): Promise<boolean> {
    if ((await this.highestSegment()) <= no) return false;
    for (let k = 1; k <= GAP_PROBE; k++) if (await this.segments.get(segmentId(no + k))) return true;
    return false;
  }

  /** Events of the given sequence numbers (held events re-read after a restart). */
  async readSeqs(seqs: number[]): Promise<StoredEvent[]> {
    const want = new Set(seqs);
    const out: StoredEvent[] = [];
    for (const no of new Set(seqs.map((s) => Math.floor(s / SEG_SPAN)))) {
      const doc = await this.segments.get(segmentId(no));
      if (doc) for (const e of JSON.parse(doc.events) as StoredEvent[]) if (want.has(e.seq)) out.push(e);
    }
    return out;
  }

  /** The seq of the newest stored event, or 0 for an empty log. */
  async lastSeq(): Promise<number> {
    for (let no = await this.highestSegment(); no > 0; no--) {
      const doc = await this.segments.get(segmentId(no));
      if (!doc) continue;
      const events = JSON.parse(doc.events) as StoredEvent[];
      if (events.length > 0) return events[events.length - 1]!.seq;
    }
    return 0;
  }

  /** Events stored (one marker each). */
  count(): Promise<number> {
    return this.markers.count();
  }
}
