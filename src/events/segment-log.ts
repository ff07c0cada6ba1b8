// The event log as numbered segments: each accepted intake batch becomes one document read back by
// its `_id`, the one lookup every MongoDB-protocol store serves from an index (FerretDB scans the
// whole collection for any other query). Per-event marker documents make appends idempotent.
import type { DocCollection, Store } from '../store/repository.js';
import type { StoredEvent, VigilEvent } from './types.js';

export interface AppendResult {
  accepted: number;
  duplicates: number;
  firstSeq?: number;
  lastSeq?: number;
}

/** Marks an event id as taken by a segment; a resend of the id is a duplicate. */
interface MarkerDoc {
  _id: string;
  seg: number;
}

interface SegmentDoc {
  _id: string;
  no: number;
  receivedAt: number;
  /** The segment's events as JSON text: one string field is cheap to store and portable. */
  events: string;
}

/** Positions in a segment: an event's seq is segment * SEG_SPAN + index. */
export const SEG_SPAN = 65_536;
const SEG_COUNTER = 'eventSegments';
/** Segments looked ahead when the next one is missing, to tell a gap from the end of the log. */
const GAP_PROBE = 8;

export function segmentId(no: number): string {
  return `seg:${String(no).padStart(12, '0')}`;
}

export class SegmentLog {
  private readonly markers: DocCollection<MarkerDoc>;
  private readonly segments: DocCollection<SegmentDoc>;
  /** Wall time a missing segment was first noticed by the reader. */
  private readonly gapSeen = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {
    this.markers = store.collection<MarkerDoc>('eventIds');
    this.segments = store.collection<SegmentDoc>('eventSegments');
  }

  /**
   * Stores the events not seen before, as one segment per call (split at SEG_SPAN). A marker per
   * event id is written first; the segment after. If a crash fell between the two, the resend
   * finds markers pointing at a segment that was never written and takes those events over.
   */
  async append(events: VigilEvent[], receivedAt: number): Promise<AppendResult> {
    const unique: VigilEvent[] = [];
    const seen = new Set<string>();
    for (const e of events) if (!seen.has(e.id)) (seen.add(e.id), unique.push(e));
    let accepted = 0;
    let firstSeq: number | undefined;
    let lastSeq: number | undefined;
    for (let i = 0; i < unique.length; i += SEG_SPAN) {
      const part = unique.slice(i, i + SEG_SPAN);
      const no = await this.store.reserveSeq(SEG_COUNTER, 1);
      const res = await this.markers.insertNew(part.map((e) => ({ _id: e.id, seg: no })));
      const taken = new Set(res.inserted);
      if (res.duplicates.length > 0) for (const id of await this.reclaim(res.duplicates, no)) taken.add(id);
      const mine = part.filter((e) => taken.has(e.id));
      const stored: StoredEvent[] = mine.map((e, k) => ({ ...e, seq: no * SEG_SPAN + k, receivedAt }));
      await this.segments.put({ _id: segmentId(no), no, receivedAt, events: JSON.stringify(stored) });
      if (stored.length > 0) {
        firstSeq ??= stored[0]!.seq;
        lastSeq = stored[stored.length - 1]!.seq;
        accepted += stored.length;
      }
    }
    return { accepted, duplicates: events.length - accepted, firstSeq, lastSeq };
  }

  /** Of these duplicate ids, the ones whose segment was never written: moved to segment `no`. */
  private async reclaim(ids: string[], no: number): Promise<string[]> {
    const markers = await Promise.all(ids.map((id) => this.markers.get(id)));
    const bySeg = new Map<number, string[]>();
    for (const m of markers) if (m && m.seg !== no) bySeg.set(m.seg, [...(bySeg.get(m.seg) ?? []), m._id]);
    const out: string[] = [];
    for (const [seg, segIds] of bySeg) {
      if (await this.segments.get(segmentId(seg))) continue;
      // the older write may still be in flight: only reclaim once its number is well behind
      const current = await this.highestSegment();
      if (current - seg < 1) continue;
      for (const id of segIds) if (await this.markers.update(id, { seg: no }, { where: { seg } })) out.push(id);
    }
    return out;
  }

  private async highestSegment(): Promise<number> {
    const doc = await this.store.collection<{ _id: string; value: number }>('kv').get(`seq:${SEG_COUNTER}`);
    return doc?.value ?? 0;
  }

  /**
   * Up to about `limit` events after `seq`, in order, whole segments at a time. A missing segment
   * with later ones present is a write in flight: it is waited for `gapWaitMs`, then passed over
   * (a gap marker moves the reader's position past it).
   */
  async readAfter(seq: number, limit: number, gapWaitMs = 2000): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    let no = Math.floor(seq / SEG_SPAN);
    if (no > 0 && seq % SEG_SPAN !== SEG_SPAN - 1) {
      const doc = await this.segments.get(segmentId(no));
      if (doc) for (const e of JSON.parse(doc.events) as StoredEvent[]) if (e.seq > seq) out.push(e);
    }
    no++;
    while (out.length < limit) {
      const doc = await this.segments.get(segmentId(no));
      if (doc) {
        const events = JSON.parse(doc.events) as StoredEvent[];
        if (events.length === 0) out.push(gapMarker(no));
        else for (const e of events) out.push(e);
        no++;
        continue;
      }
      if (!(await this.laterSegmentExists(no))) break;
      const now = this.clock();
      const since = this.gapSeen.get(no) ?? now;
      this.gapSeen.set(no, since);
      if (now - since < gapWaitMs) break;
      this.gapSeen.delete(no);
      out.push(gapMarker(no));
      no++;
    }
    return out;
  }

  private async laterSegmentExists(no: number): Promise<boolean> {
    if ((await this.highestSegment()) <= no) return false;
    for (let k = 1; k <= GAP_PROBE; k++) if (await this.segments.get(segmentId(no + k))) return true;
    return false;
  }

  /** Events of the given sequence numbers (held events re-read after a restart). */
  async readSeqs(seqs: number[]): Promise<StoredEvent[]> {
    const want = new Set(seqs);
    const nos = [...new Set(seqs.map((s) => Math.floor(s / SEG_SPAN)))];
    const out: StoredEvent[] = [];
    for (const no of nos) {
      const doc = await this.segments.get(segmentId(no));
      if (doc) for (const e of JSON.parse(doc.events) as StoredEvent[]) if (want.has(e.seq)) out.push(e);
    }
    return out;
  }
}

/**
 * A placeholder that moves the reader's position past an empty or abandoned segment; it is not
 * an event (`type` is absent) and the processor skips it after advancing its position.
 */
function gapMarker(no: number): StoredEvent {
  return { seq: no * SEG_SPAN + SEG_SPAN - 1, id: '', type: undefined as never, occurredAt: 0, accountId: '', receivedAt: 0 };
}

export function isGapMarker(e: StoredEvent): boolean {
  return e.type === undefined;
}
