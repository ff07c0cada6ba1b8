import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from '../../src/pipeline/reorder-buffer.js';
import type { StoredEvent } from '../../src/events/types.js';

function ev(id: string, occurredAt: number, seq: number): StoredEvent {
  return { id, type: 'ticket.message', occurredAt, accountId: 'a', ticketId: 't', seq, receivedAt: 0 };
}

describe('ReorderBuffer', () => {
  it('releases in event-time order, ties by id, only up to the watermark', () => {
    const b = new ReorderBuffer();
    const events = [ev('c', 30, 1), ev('a', 10, 2), ev('z', 20, 3), ev('b', 20, 4), ev('d', 50, 5)];
    for (const e of events) b.push(e);
    expect(b.releaseUpTo(20).map((e) => e.id)).toEqual(['a', 'b', 'z']);
    expect(b.size).toBe(2);
    expect(b.heldSeqs().sort()).toEqual([1, 5]);
    expect(b.releaseUpTo(100).map((e) => e.id)).toEqual(['c', 'd']);
    expect(b.size).toBe(0);
  });

  it('gives the same order for any arrival order', () => {
    const base = Array.from({ length: 200 }, (_, i) => ev(`e${i % 37}-${i}`, (i * 7919) % 101, i + 1));
    const order = (list: StoredEvent[]) => {
      const b = new ReorderBuffer();
      for (const e of list) b.push(e);
      return b.releaseUpTo(Infinity).map((e) => e.id);
    };
    const shuffled = [...base].sort((x, y) => ((x.seq * 31) % 17) - ((y.seq * 31) % 17));
    expect(order(shuffled)).toEqual(order(base));
    const released = order(base);
    for (let i = 1; i < released.length; i++) {
      const prev = base.find((e) => e.id === released[i - 1])!;
      const cur = base.find((e) => e.id === released[i])!;
      expect(prev.occurredAt < cur.occurredAt || (prev.occurredAt === cur.occurredAt && prev.id < cur.id)).toBe(true);
    }
  });
});
