// Holds events until the watermark passes them, then releases them in event-time order, so the
// engines see the same sequence whatever order the events arrived in (within the allowed lateness).
import type { StoredEvent } from '../events/types.js';

/** Total order of release: event time, then id (ties broken the same way on every replay). */
export function eventKeyLess(a: StoredEvent, b: StoredEvent): boolean {
  return a.occurredAt < b.occurredAt || (a.occurredAt === b.occurredAt && a.id < b.id);
}

/**
 * A binary min-heap on (occurredAt, id). The times sit in an array of their own, moved along with
 * the events: events come in several shapes (their optional fields), and reading a time off them
 * at every comparison was a megamorphic load that boxed the number each time.
 */
export class ReorderBuffer {
  private heap: StoredEvent[] = [];
  private times: number[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(ev: StoredEvent): void {
    const h = this.heap;
    const ts = this.times;
    const t = ev.occurredAt;
    h.push(ev);
    ts.push(t);
    // Sift up by moving parents down into the hole (no swap arrays: this runs per event).
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = ts[parent]!;
      if (!(t < pt || (t === pt && ev.id < h[parent]!.id))) break;
      h[i] = h[parent]!;
      ts[i] = pt;
      i = parent;
    }
    h[i] = ev;
    ts[i] = t;
  }

  /** Removes and returns, in order, every event with occurredAt <= watermark. */
  releaseUpTo(watermark: number, out: StoredEvent[] = []): StoredEvent[] {
    while (this.heap.length > 0 && this.times[0]! <= watermark) out.push(this.pop());
    return out;
  }

  /** Sequence numbers of the events still held (they are re-read from the log after a restart). */
  heldSeqs(): number[] {
    return this.heap.map((e) => e.seq);
  }

  /** The earliest event (the heap is not empty). */
  private pop(): StoredEvent {
    const h = this.heap;
    const ts = this.times;
    const top = h[0]!;
    const last = h.pop()!;
    const lastT = ts.pop()!;
    const n = h.length;
    if (n > 0) {
      // Sift the last event down from the root, moving the smaller child up into the hole.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && (ts[r]! < ts[l]! || (ts[r] === ts[l] && h[r]!.id < h[l]!.id)) ? r : l;
        const mt = ts[m]!;
        if (!(mt < lastT || (mt === lastT && h[m]!.id < last.id))) break;
        h[i] = h[m]!;
        ts[i] = mt;
        i = m;
      }
      h[i] = last;
      ts[i] = lastT;
    }
    return top;
  }
}
