// The durable, idempotent event log: events keyed by their source id (a resend is a duplicate,
// never a second copy), ordered by a sequence number the pipeline reads forward from.
import type { DocCollection, Store } from '../store/repository.js';
import type { StoredEvent, VigilEvent } from './types.js';

/** An event as a document of the `events` collection: `_id` is the event id. */
export type EventDoc = StoredEvent & { _id: string };

export interface AppendResult {
  accepted: number;
  duplicates: number;
  /** Sequence numbers of the accepted events run from firstSeq to lastSeq (with gaps where a resend was refused). */
  firstSeq?: number;
  lastSeq?: number;
}

export const EVENT_SEQ = 'events';
/**
 * Attempts when another writer took the same sequence numbers (possible across processes on
 * FerretDB, whose counter increment is not atomic): each retry reserves fresh numbers.
 */
const SEQ_COLLISION_ATTEMPTS = 5;

function toStored(doc: EventDoc): StoredEvent {
  const { _id: _ignored, ...event } = doc;
  return event;
}

export class EventLog {
  private readonly events: DocCollection<EventDoc>;

  constructor(private readonly store: Store) {
    this.events = store.collection<EventDoc>('events');
  }

  /** Stores the events not seen before (by id, in the store and earlier in the batch), in order. */
  async append(events: VigilEvent[], receivedAt: number): Promise<AppendResult> {
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    const seen = new Set<string>();
    const fresh: VigilEvent[] = [];
    for (const e of events) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      fresh.push(e);
    }
    // No read before the write: the unique _id refuses resends. (A read of the log is a scan of
    // the whole collection on FerretDB, which would make every append cost O(log size).) The seq
    // numbers reserved for refused resends stay unused: the reader passes such a gap after
    // pipeline.gapWaitMs.
    let pending = fresh;
    let accepted = 0;
    let firstSeq: number | undefined;
    let lastSeq: number | undefined;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const first = await this.store.reserveSeq(EVENT_SEQ, pending.length);
      const docs: EventDoc[] = pending.map((e, i) => ({ ...e, _id: e.id, seq: first + i, receivedAt }));
      try {
        const res = await this.events.insertNew(docs);
        const ok = new Set(res.inserted);
        for (const d of docs) {
          if (!ok.has(d._id)) continue;
          firstSeq ??= d.seq;
          lastSeq = d.seq;
          accepted++;
        }
        pending = [];
      } catch (err) {
        if (attempt >= SEQ_COLLISION_ATTEMPTS || !(await this.seqTaken(docs))) throw err;
        // keep what went in, retry the rest with fresh numbers
        const stored = new Set((await this.events.getMany(docs.map((d) => d._id))).filter((d) => docs.some((x) => x._id === d._id && x.seq === d.seq)).map((d) => d._id));
        for (const d of docs) {
          if (!stored.has(d._id)) continue;
          firstSeq ??= d.seq;
          lastSeq = d.seq;
          accepted++;
        }
        pending = pending.filter((e) => !stored.has(e.id));
      }
    }
    return { accepted, duplicates: events.length - accepted, firstSeq, lastSeq };
  }

  /** True when some of these sequence numbers are held by other events. */
  private async seqTaken(docs: EventDoc[]): Promise<boolean> {
    const holders = await this.events.find({ seq: { $gte: docs[0]!.seq, $lte: docs[docs.length - 1]!.seq } });
    const mine = new Map(docs.map((d) => [d.seq, d._id]));
    return holders.some((h) => mine.get(h.seq) !== undefined && mine.get(h.seq) !== h._id);
  }

  /** Up to `limit` events with seq greater than `seq`, in seq order. */
  async readAfter(seq: number, limit: number): Promise<StoredEvent[]> {
    const docs = await this.events.find({ seq: { $gt: seq } }, { sort: [['seq', 1]], limit });
    return docs.map(toStored);
  }

  /** The highest sequence number stored, or 0 for an empty log. */
  async lastSeq(): Promise<number> {
    const [last] = await this.events.find({}, { sort: [['seq', -1]], limit: 1 });
    return last?.seq ?? 0;
  }

  count(): Promise<number> {
    return this.events.count();
  }
}
