// The durable, idempotent event log, as numbered segments: each accepted intake batch becomes one
// document read back by its `_id` (the one lookup FerretDB serves from an index; it scans the whole
// collection for any other query). A marker document per event id makes appends idempotent, and a
// segment number is owned by whoever inserts its document first: the writer, or a resend or reader
// that gave up on it (an empty "taken" document), so a late write never lands beside its takeover.
import { deflateRawSync, inflateRawSync, constants as zlibConstants } from 'node:zlib';
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
  events?: string;
  /** The same, deflated and in base64 (durable stores: a fifth of the bytes to write and read back). */
  z?: string;
  /**
   * Set on an empty document that took this number from a write that did not finish: the segment
   * number of the resend that took its events, or 0 when the reader passed it over.
   */
  takenBy?: number;
  /** Wall time the number was taken. */
  at?: number;
  /** Set when the events were dropped as covered by a pipeline checkpoint (embedded store only; see EventLog.covered). */
  covered?: true;
}

function encodeEvents(events: StoredEvent[], compress: boolean): Pick<SegmentDoc, 'events' | 'z'> {
  const json = JSON.stringify(events);
  return compress ? { z: deflateRawSync(json, { level: zlibConstants.Z_BEST_SPEED }).toString('base64') } : { events: json };
}

function decodeEvents(doc: SegmentDoc): StoredEvent[] {
  const parsed = (doc.z !== undefined ? JSON.parse(inflateRawSync(Buffer.from(doc.z, 'base64')).toString('utf8')) : JSON.parse(doc.events ?? '[]')) as StoredEvent[];
  for (let i = 0; i < parsed.length; i++) parsed[i] = uniformEvent(parsed[i]!, parsed[i]!.seq, parsed[i]!.receivedAt);
  return parsed;
}

/**
 * The event with every field of the type present (undefined when absent), in one order: events
 * otherwise come in as many shapes as combinations of optional fields, and every engine reading
 * `occurredAt` or `type` off them did so through a megamorphic load (and boxed the time each time).
 * Fields beyond the type are not kept (validation lets none through).
 */
function uniformEvent(e: VigilEvent, seq: number, receivedAt: number): StoredEvent {
  return {
    id: e.id,
    type: e.type,
    occurredAt: e.occurredAt,
    accountId: e.accountId,
    ticketId: e.ticketId,
    author: e.author,
    text: e.text,
    error: e.error,
    csat: e.csat,
    category: e.category,
    channel: e.channel,
    tags: e.tags,
    seq,
    receivedAt,
  };
}

/** Positions within a segment: an event's seq is segment * SEG_SPAN + index. */
export const SEG_SPAN = 65_536;
const SEG_COUNTER = 'eventSegments';
/** Segments looked ahead when the next one is missing, to tell a gap from the end of the log. */
const GAP_PROBE = 8;
/**
 * Segments a read fetches at once: each is one `_id` lookup, and a database answers several in
 * about the time of one, so a backlog is read in waves rather than a round trip per segment.
 */
const READ_AHEAD = 8;
/**
 * Events of segments this process appended, kept until the reader passes them: the daemon's own
 * pipeline then reads its intake without a round trip. Bounded: a reader far behind reads the store.
 */
const APPENDED_CACHE_EVENTS = 50_000;
/** Bound on takeovers followed (or rewrites after being passed over) for one segment; each needs a crash or a stall. */
const MAX_REWRITES = 8;

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
  /** Events in the last segment read: how many segments a read asks for at once. */
  private eventsPerSegment = 1;
  /** Segments appended here (stored already), by number, until read past or evicted. */
  private readonly appended = new Map<number, StoredEvent[]>();
  private appendedEvents = 0;
  /** Segments up to this number were emptied as covered by a checkpoint (embedded store). */
  private coveredThrough = 0;

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
      const stored = await this.writeSegment(no, mine, receivedAt);
      if (stored.length > 0) {
        firstSeq ??= stored[0]!.seq;
        lastSeq = stored[stored.length - 1]!.seq;
        accepted += stored.length;
      }
    }
    if (inFlight.length > 0) throw new WriteInFlightError(inFlight, this.reclaimAfterMs);
    return { accepted, duplicates: events.length - accepted, firstSeq, lastSeq };
  }

  /**
   * Writes the segment `no`; returns the events it stored. When the number was taken meanwhile (this
   * write was too slow), the events went to the resend that took it, or, when the reader passed the
   * number over, are written again under a fresh number by whoever claims them first.
   */
  private async writeSegment(no: number, events: VigilEvent[], receivedAt: number): Promise<StoredEvent[]> {
    for (let attempt = 0; attempt < MAX_REWRITES; attempt++) {
      const stored: StoredEvent[] = events.map((e, k) => uniformEvent(e, no * SEG_SPAN + k, receivedAt));
      const doc: SegmentDoc = { _id: segmentId(no), no, receivedAt, ...encodeEvents(stored, this.store.durable) };
      // a fresh number: an insert (a replace costs FerretDB a read of every segment)
      const written = await this.segments.insertNew([doc]);
      const existing = written.duplicates.length > 0 ? await this.segments.get(segmentId(no)) : null;
      if (!existing || existing.takenBy === undefined) {
        // stored (a duplicate without takenBy is this very write, retried after a lost answer)
        this.remember(no, stored);
        return stored;
      }
      if (existing.takenBy > 0 || !(await this.claimPassed(no, no))) return [];
      no = await this.store.reserveSeq(SEG_COUNTER, 1);
    }
    throw new Error(`event log: segment write passed over ${MAX_REWRITES} times in a row`);
  }

  /** Claims the events of a segment the reader passed over (one claim document: only one claimant wins). */
  private async claimPassed(seg: number, by: number): Promise<boolean> {
    const claim = await this.store.collection<{ _id: string; by: number; at: number }>('kv').insertNew([{ _id: `reclaimed:${seg}`, by, at: this.clock() }]);
    return claim.inserted.length > 0;
  }

  /** Takes segment number `seg` from a write that did not finish; false when the write (or another taker) got there first. */
  private async take(seg: number, by: number): Promise<boolean> {
    const res = await this.segments.insertNew([{ _id: segmentId(seg), no: seg, receivedAt: this.clock(), events: '[]', takenBy: by, at: this.clock() }]);
    return res.inserted.length > 0;
  }

  private remember(no: number, stored: StoredEvent[]): void {
    this.appended.set(no, stored);
    this.appendedEvents += stored.length;
    // oldest first (a Map keeps insertion order)
    for (const [k, list] of this.appended) {
      if (this.appendedEvents <= APPENDED_CACHE_EVENTS) break;
      this.appended.delete(k);
      this.appendedEvents -= list.length;
    }
  }

  /** A segment's events: from this process's own appends when still kept, else from the store. */
  private async segment(no: number): Promise<StoredEvent[] | null> {
    const mine = this.appended.get(no);
    if (mine) return mine;
    const doc = await this.segments.get(segmentId(no));
    return doc ? decodeEvents(doc) : null;
  }

  /** The reader is past segment `no`: its kept copy is no longer needed. */
  private forgetThrough(no: number): void {
    for (const [k, list] of this.appended) {
      if (k > no) continue;
      this.appended.delete(k);
      this.appendedEvents -= list.length;
    }
  }

  /** Sorts duplicate ids into true duplicates, ids taken over from a dead write, and ids still in flight. */
  private async reclaim(ids: string[], no: number): Promise<{ reclaimed: string[]; pending: string[] }> {
    // one query for all of them: on FerretDB every lookup reads the whole collection
    const markers = await this.markers.getMany(ids);
    const bySeg = new Map<number, MarkerDoc[]>();
    const reclaimed: string[] = [];
    const pending: string[] = [];
    for (const m of markers) {
      // this call's own markers, written by an attempt whose answer was lost
      if (m.seg === no) reclaimed.push(m._id);
      else bySeg.set(m.seg, [...(bySeg.get(m.seg) ?? []), m]);
    }
    for (const [seg, list] of bySeg) {
      const fate = await this.fateOf(seg, Math.max(...list.map((m) => m.at)), no);
      if (fate === 'mine') reclaimed.push(...list.map((m) => m._id));
      else if (fate === 'pending') pending.push(...list.map((m) => m._id));
    }
    return { reclaimed, pending };
  }

  /**
   * Where the events marked for segment `seg` are: stored (a true duplicate), still being written
   * (pending), or now this write's (`no` took the number, or the events of a passed number).
   * Follows takeovers: a resend that took the number may itself have died before writing.
   */
  private async fateOf(seg: number, markedAt: number, no: number): Promise<'stored' | 'pending' | 'mine'> {
    let at = markedAt;
    for (let hop = 0; hop < MAX_REWRITES; hop++) {
      const doc = await this.segments.get(segmentId(seg));
      if (!doc) {
        if (this.clock() - at < this.reclaimAfterMs) return 'pending';
        if (await this.take(seg, no)) return 'mine';
        continue; // written or taken just now: look again
      }
      if (doc.takenBy === undefined) return 'stored';
      if (doc.takenBy === 0) return (await this.claimPassed(seg, no)) ? 'mine' : 'stored';
      if (doc.takenBy === no) return 'mine';
      // taken by a resend: its segment holds the events, unless that resend died too
      at = doc.at ?? at;
      seg = doc.takenBy;
    }
    return 'pending';
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
      const got = await this.segment(no);
      if (got) for (const e of got) if (e.seq > after) events.push(e);
      position = no * SEG_SPAN + SEG_SPAN - 1;
      if (!got) position = after;
    }
    no++;
    let ahead: Array<StoredEvent[] | null> = [];
    while (events.length < limit) {
      if (ahead.length === 0) {
        // as many segments as the rest of the batch likely needs (by the size of the last one read),
        // none past the last number handed out (a caught-up reader asks one counter, not the segments)
        const highest = this.appended.has(no) ? no : await this.highestSegment();
        if (highest < no) break;
        const wave = Math.max(1, Math.min(READ_AHEAD, highest - no + 1, Math.ceil((limit - events.length) / this.eventsPerSegment)));
        ahead = await Promise.all(Array.from({ length: wave }, (_, k) => this.segment(no + k)));
      }
      const got = ahead.shift()!;
      if (!got) {
        if (!(await this.laterSegmentExists(no))) break;
        const now = this.clock();
        const since = this.gapSeen.get(no) ?? now;
        this.gapSeen.set(no, since);
        if (now - since < gapWaitMs) break;
        this.gapSeen.delete(no);
        // pass it only once it is ours: a write that lands now would never be read
        if (!(await this.take(no, 0))) {
          ahead = [];
          continue;
        }
      } else {
        if (got.length > 0) this.eventsPerSegment = got.length;
        for (const e of got) events.push(e);
      }
      position = no * SEG_SPAN + SEG_SPAN - 1;
      no++;
    }
    this.forgetThrough(Math.floor(position / SEG_SPAN) - (position % SEG_SPAN === SEG_SPAN - 1 ? 0 : 1));
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
      if (doc) for (const e of decodeEvents(doc)) if (want.has(e.seq)) out.push(e);
    }
    return out;
  }

  /** The seq of the newest stored event, or 0 for an empty log. */
  async lastSeq(): Promise<number> {
    for (let no = await this.highestSegment(); no > 0; no--) {
      const doc = await this.segments.get(segmentId(no));
      if (!doc) continue;
      const events = decodeEvents(doc);
      if (events.length > 0) return events[events.length - 1]!.seq;
    }
    return 0;
  }

  /**
   * The pipeline's checkpoint covers every event at or before `seq`. In a durable store the log is
   * the record and stays whole. The embedded store keeps everything in this process's memory, and
   * only this process's pipeline reads it, restarting (after a failed step) from that checkpoint:
   * the segments it covers are cut down to their number, which still tells a resend of one of
   * their events that it is a duplicate (its marker names a segment that is stored).
   */
  async covered(seq: number): Promise<void> {
    if (this.store.durable) return;
    const through = Math.floor((seq + 1) / SEG_SPAN) - 1;
    if (through <= this.coveredThrough) return;
    const ids: string[] = [];
    for (let no = this.coveredThrough + 1; no <= through; no++) ids.push(segmentId(no));
    this.coveredThrough = through;
    this.forgetThrough(through);
    const docs = await this.segments.getMany(ids);
    // a taken or passed-over number keeps its document: a resend follows it to where its events went
    const emptied = docs.filter((d) => d.takenBy === undefined && (d.z !== undefined || (d.events !== undefined && d.events !== '[]')));
    await this.segments.putMany(emptied.map((d) => ({ _id: d._id, no: d.no, receivedAt: d.receivedAt, events: '[]', covered: true })));
  }

  /** Events stored (one marker each). */
  count(): Promise<number> {
    return this.markers.count();
  }
}
