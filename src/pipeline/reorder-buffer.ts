// Holds events until the watermark passes them, then releases them in event-time order, so the
// engines see the same sequence whatever order the events arrived in (within the allowed lateness).
import type { StoredEvent } from '../events/types.js';

/** Total order of release: event time, then id (ties broken the same way on every replay). */
export function eventKeyLess(a: StoredEvent, b: StoredEvent): boolean {
  return a.occurredAt < b.occurredAt || (a.occurredAt === b.occurredAt && a.id < b.id);
}

/** A binary min-heap on (occurredAt, id). */
export class ReorderBuffer {
  private heap: StoredEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(ev: StoredEvent): void {
    const h = this.heap;
    h.push(ev);
    // Sift up by moving parents down into the hole (no swap arrays: this runs per event).
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!eventKeyLess(ev, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = ev;
  }

  /** Removes and returns, in order, every event with occurredAt <= watermark. */
  releaseUpTo(watermark: number, out: StoredEvent[] = []): StoredEvent[] {
    while (this.heap.length > 0 && this.heap[0]!.occurredAt <= watermark) out.push(this.pop()!);
    return out;
  }

  /** Sequence numbers of the events still held (they are re-read from the log after a restart). */
  heldSeqs(): number[] {
    return this.heap.map((e) => e.seq);
  }

  private pop(): StoredEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      // Sift the last event down from the root, moving the smaller child up into the hole.
      const n = h.length;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && eventKeyLess(h[r]!, h[l]!) ? r : l;
        if (!eventKeyLess(h[m]!, last)) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
