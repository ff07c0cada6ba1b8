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

  it('releases what a sort by (occurredAt, id) releases, through interleaved pushes and partial releases', () => {
    let seed = 9;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const b = new ReorderBuffer();
    let held: StoredEvent[] = [];
    let released = 0;
    let watermark = 0;
    for (let round = 0; round < 300; round++) {
      for (let k = Math.floor(rand() * 40); k > 0; k--) {
        // times close together (ties) and far in the future, ids in random order
        const e = ev(`e${Math.floor(rand() * 1e6)}`, watermark + 1 + Math.floor(rand() * 50), round * 100 + k);
        b.push(e);
        held.push(e);
      }
      watermark += Math.floor(rand() * 20);
      const expected = held.filter((e) => e.occurredAt <= watermark).sort((x, y) => x.occurredAt - y.occurredAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      held = held.filter((e) => e.occurredAt > watermark);
      const got = b.releaseUpTo(watermark);
      expect(got.map((e) => `${e.occurredAt}:${e.id}`)).toEqual(expected.map((e) => `${e.occurredAt}:${e.id}`));
      released += got.length;
      expect(b.size).toBe(held.length);
    }
    expect(released).toBeGreaterThan(1000);
  });
});
