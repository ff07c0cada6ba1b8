// What the embedded store promises beyond the shared contract: sorted pages keep the scan order of
// equal keys (as a full stable sort does), and lent documents are the stored ones, frozen.
import { describe, expect, it } from 'vitest';
import { createMemoryStore, lendsDocuments } from '../../src/store/memory/memory-store.js';
import type { Doc } from '../../src/store/repository.js';

interface Item extends Doc {
  n: number;
  tags?: string[];
  inner?: { list: Array<{ k: number }> };
}

describe('memory store', () => {
  it('a sorted page of equal keys is the same slice as the full stable sort', async () => {
    const c = createMemoryStore().collection<Item>('health');
    await c.putMany(Array.from({ length: 40 }, (_, i) => ({ _id: `t${(i * 13) % 40}`, n: i % 3 })));
    const all = (await c.find({}, { sort: [['n', -1]] })).map((d) => d._id);
    for (const [skip, limit] of [[0, 5], [3, 9], [12, 14], [38, 5]] as Array<[number, number]>) {
      expect((await c.find({}, { sort: [['n', -1]], skip, limit })).map((d) => d._id)).toEqual(all.slice(skip, skip + limit));
    }
  });

  it('lends the stored document, deeply frozen, and a later write replaces it without touching the lent copy', async () => {
    const c = createMemoryStore().collection<Item>('incidents');
    expect(lendsDocuments(c)).toBe(true);
    await c.put({ _id: 'a', n: 1, tags: ['x'], inner: { list: [{ k: 1 }] } });
    const lent = lendsDocuments(c) ? c.peek('a')! : null;
    expect(lent).toEqual({ _id: 'a', n: 1, tags: ['x'], inner: { list: [{ k: 1 }] } });
    expect(() => (lent!.tags as string[]).push('y')).toThrow(TypeError);
    expect(() => ((lent!.inner!.list[0] as { k: number }).k = 2)).toThrow(TypeError);
    expect(() => ((lent as Item).n = 5)).toThrow(TypeError);
    // copies handed out by get stay free to change, and do not reach the store
    const copy = (await c.get('a'))!;
    copy.tags!.push('z');
    copy.inner!.list[0]!.k = 9;
    expect(await c.get('a')).toEqual({ _id: 'a', n: 1, tags: ['x'], inner: { list: [{ k: 1 }] } });
    await c.update('a', { n: 2 });
    expect(lent!.n).toBe(1);
    expect(lendsDocuments(c) ? c.peek('a')!.n : null).toBe(2);
    expect(lendsDocuments(c) ? c.peek('missing') : undefined).toBeNull();
  });
});
