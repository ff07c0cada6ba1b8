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
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!eventKeyLess(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
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
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && eventKeyLess(h[l]!, h[m]!)) m = l;
        if (r < h.length && eventKeyLess(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
