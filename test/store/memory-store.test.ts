// What the embedded store promises beyond the shared contract: sorted pages keep the scan order of
// equal keys (as a full stable sort does), lent documents are the stored ones, frozen, nested
// values read back exactly, and indexed reads answer as a scan of every document after any writes.
import { describe, expect, it } from 'vitest';
import { adoptsDocuments, createMemoryStore, lendsDocuments } from '../../src/store/memory/memory-store.js';
import { UnportableDocumentError } from '../../src/store/portable-document.js';
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

  it('lends the stored document deeply frozen; a later write replaces it without touching the lent one', async () => {
    const c = createMemoryStore().collection<Item>('incidents');
    expect(lendsDocuments(c)).toBe(true);
    const list = Array.from({ length: 3000 }, (_, k) => ({ k }));
    await c.put({ _id: 'a', n: 1, tags: ['x'], inner: { list } });
    const lent = lendsDocuments(c) ? c.peek('a')! : null;
    expect(lent).toEqual({ _id: 'a', n: 1, tags: ['x'], inner: { list } });
    expect(() => (lent!.tags as string[]).push('y')).toThrow(TypeError);
    expect(() => ((lent!.inner!.list[0] as { k: number }).k = 2)).toThrow(TypeError);
    expect(() => ((lent as Item).n = 5)).toThrow(TypeError);
    // copies handed out by get stay free to change, and do not reach the store
    const copy = (await c.get('a'))!;
    copy.tags!.push('z');
    copy.inner!.list[0]!.k = 9;
    expect((await c.get('a'))!.tags).toEqual(['x']);
    expect((await c.get('a'))!.inner!.list[0]).toEqual({ k: 0 });
    await c.update('a', { n: 2 });
    expect(lent!.n).toBe(1);
    expect(lendsDocuments(c) ? c.peek('a')!.n : null).toBe(2);
    expect(lendsDocuments(c) ? c.peek('missing') : undefined).toBeNull();
  });

  it('adopts plain documents as they are, copies what a copy would store differently, and refuses what putMany refuses', async () => {
    const c = createMemoryStore().collection<Item & { at?: Date; gone?: string }>('health');
    expect(adoptsDocuments(c)).toBe(true);
    if (!adoptsDocuments(c) || !lendsDocuments(c)) return;
    const plain = { _id: 'p', n: 1, tags: ['x'], inner: { list: [{ k: 1 }] } };
    const withUndefined = { _id: 'u', n: 2, gone: undefined, tags: ['y'] };
    const dated = { _id: 'd', n: 3, at: new Date(Date.UTC(2026, 0, 2)) };
    await c.adoptMany([plain, withUndefined, dated]);
    expect(c.peek('p')).toBe(plain);
    // stored as putMany stores them: the undefined field left out, the date a copy
    expect(c.peek('u')).not.toBe(withUndefined);
    expect(Object.keys(c.peek('u')!)).toEqual(['_id', 'n', 'tags']);
    expect(c.peek('d')!.at).not.toBe(dated.at);
    expect(c.peek('d')!.at!.getTime()).toBe(dated.at.getTime());
    // reads are copies as ever
    expect(await c.get('p')).toEqual(plain);
    expect(await c.get('p')).not.toBe(plain);
    // one refused document and none of the batch is written, with the path named
    const bad = [{ _id: 'ok', n: 1 }, { _id: 'nan', n: Number.NaN }, { _id: 'nested', n: 1, inner: { list: [[1]] as never } }];
    await expect(c.adoptMany([bad[0]!, bad[1]!])).rejects.toThrow(UnportableDocumentError);
    await expect(c.adoptMany([bad[0]!, bad[2]!])).rejects.toThrow(/inner\.list\.0.*nested arrays/);
    await expect(c.adoptMany([{ _id: 'nul', n: 1, tags: ['a\0b'] }])).rejects.toThrow(/tags\.0.*NUL/);
    await expect(c.adoptMany([{ _id: 'key', n: 1, inner: { 'a.b': 1 } as never }])).rejects.toThrow(/keys may not/);
    expect(await c.get('ok')).toBeNull();
    // a new version sharing values with the stored one: kept as it is, its new values checked
    const next = { ...plain, n: 5, tags: ['x', 'y'] };
    await c.adoptMany([next]);
    expect(c.peek('p')).toBe(next);
    expect(c.peek('p')!.inner).toBe(plain.inner);
    await expect(c.adoptMany([{ ...next, tags: [Number.POSITIVE_INFINITY] as never }])).rejects.toThrow(/tags\.0.*not finite/);
    await expect(c.adoptMany([{ ...next, inner: { list: [{ k: undefined }] } as never }])).resolves.toBeUndefined();
    expect(Object.keys(c.peek('p')!.inner!.list[0]!)).toEqual([]);
  });

  it('reads back exactly what was stored (dates, -0, bytes), through updates with conditions on arrays', async () => {
    const c = createMemoryStore().collection<Item & { at?: Date; z?: number; bytes?: Uint8Array }>('health');
    const doc = { _id: 'h', n: 3, tags: ['a', 'b'], inner: { list: [{ k: 1 }, { k: 2 }] } };
    await c.put(doc);
    expect(await c.get('h')).toEqual(doc);
    // values JSON would change stay exactly what was stored
    const odd = { _id: 'odd', n: 1, tags: ['t'], at: new Date(Date.UTC(2026, 0, 2)), z: -0, bytes: new Uint8Array([1, 2]) };
    await c.put(odd);
    const back = (await c.get('odd'))!;
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at!.getTime()).toBe(odd.at.getTime());
    expect(Object.is(back.z, -0)).toBe(true);
    expect(back.bytes).toEqual(new Uint8Array([1, 2]));
    // updates and increments keep the nested fields
    await c.update('h', { n: 4 }, { inc: { z: 2 } });
    expect(await c.get('h')).toEqual({ ...doc, n: 4, z: 2 });
    await c.update('h', { tags: ['q'] }, { where: { n: 4 } });
    expect((await c.get('h'))!.tags).toEqual(['q']);
    expect(await c.update('h', { n: 5 }, { where: { tags: 'nope' } })).toBe(false);
    expect(await c.update('h', { n: 5 }, { where: { tags: 'q' } })).toBe(true);
  });

  it('filters, sorts and indexes see nested fields (arrays, objects)', async () => {
    const c = createMemoryStore().collection<Item & { band?: unknown; tier?: string }>('health');
    await c.putMany([
      { _id: 'p1', n: 1, band: ['watch', 'critical'], tags: ['red'] },
      { _id: 'p2', n: 2, band: 'watch', tags: ['blue'] },
      { _id: 'p3', n: 3, band: 'healthy', tags: ['red', 'blue'] },
      { _id: 'p4', n: 4, band: { nested: true } },
    ]);
    const ids = (list: Item[]) => list.map((d) => d._id);
    // band leads an index declaration: equality uses the field index, which must see the array
    expect(ids(await c.find({ band: 'watch' }, { sort: [['n', 1]] }))).toEqual(['p1', 'p2']);
    expect(await c.count({ band: 'critical' })).toBe(1);
    expect(ids(await c.find({ tags: 'red' }, { sort: [['n', -1]] }))).toEqual(['p3', 'p1']);
    expect(ids(await c.find({ tags: { $exists: false } }))).toEqual(['p4']);
    // sorting by a nested field: the store's cross-type order, numbers and strings before objects before arrays
    expect(ids(await c.find({}, { sort: [['band', 1]] }))).toEqual(['p3', 'p2', 'p4', 'p1']);
    expect(await c.deleteMany({ tags: 'blue' })).toBe(2);
    expect(ids(await c.find({}, { sort: [['_id', 1]] }))).toEqual(['p1', 'p4']);
  });

  it('indexed reads answer exactly as a scan of every document, through updates, replacements, upserts and deletes', async () => {
    interface Alert extends Doc {
      status: string;
      nextAttemptAt: number | string;
      enqueuedAt: number;
      groupKey: string;
    }
    const c = createMemoryStore().collection<Alert>('alerts');
    const statuses = ['pending', 'sending', 'sent', 'held'];
    // a seeded generator (mulberry32), so a failure can be replayed
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const alert = (i: number): Alert => ({
      _id: `a${i}`,
      status: statuses[rand(4)]!,
      // now and then a string, which a numeric range must pass over (MongoDB's type brackets)
      nextAttemptAt: rand(10) === 0 ? 'later' : rand(50),
      enqueuedAt: rand(20),
      groupKey: `g${rand(3)}`,
    });
    const byKeys = (a: Alert, b: Alert) => (a.nextAttemptAt as number) - (b.nextAttemptAt as number) || a.enqueuedAt - b.enqueuedAt;
    for (let round = 0; round < 30; round++) {
      // first read of a round builds the indexes from what is there; later writes must keep them in step
      for (let k = 0; k < 25; k++) {
        const i = rand(80);
        const op = rand(5);
        if (op === 0) await c.put(alert(i));
        else if (op === 1) await c.update(`a${i}`, { status: statuses[rand(4)]!, nextAttemptAt: rand(50) });
        else if (op === 2) await c.update(`a${i}`, { groupKey: `g${rand(3)}` }, { upsert: true, where: { status: 'pending' }, setOnInsert: { nextAttemptAt: rand(50), enqueuedAt: rand(20) } });
        else if (op === 3) await c.deleteMany({ groupKey: `g${rand(3)}`, status: statuses[rand(4)]! });
        else await c.putMany([alert(i), alert(rand(80))]);
      }
      const all = await c.find({});
      const due = rand(50);
      const want = all.filter((d) => d.status === 'pending' && typeof d.nextAttemptAt === 'number' && d.nextAttemptAt <= due).sort(byKeys);
      expect(await c.find({ status: 'pending', nextAttemptAt: { $lte: due } }, { sort: [['nextAttemptAt', 1], ['enqueuedAt', 1]], limit: 5 })).toEqual(want.slice(0, 5));
      expect(await c.find({ status: 'pending', nextAttemptAt: { $lte: due } })).toEqual(all.filter((d) => want.includes(d)));
      expect(await c.count({ status: { $in: ['pending', 'sending'] } })).toBe(all.filter((d) => d.status === 'pending' || d.status === 'sending').length);
      expect(await c.count({ status: 'held' })).toBe(all.filter((d) => d.status === 'held').length);
      expect(await c.find({ groupKey: 'g1' })).toEqual(all.filter((d) => d.groupKey === 'g1'));
    }
  });
});
