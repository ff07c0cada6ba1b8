// One contract, two stores: the embedded store and the MongoDB store (on FerretDB) must answer
// every repository call the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import type { Doc, DocCollection, Store } from '../../src/store/repository.js';
import { UnportableDocumentError } from '../../src/store/portable-document.js';
import { mongoUriOrSkip, uniqueDatabase } from '../support/mongo.js';

const mongoUri = mongoUriOrSkip();

interface Item extends Doc {
  name?: string;
  n?: number;
  tier?: string;
  tags?: string[];
  owner?: string | null;
  expiresAt?: number;
  hits?: number;
  created?: string;
}

type Factory = () => Store;
const contractDb = uniqueDatabase('contract');
const factories: Array<[string, Factory | null]> = [
  ['memory', () => createMemoryStore()],
  [
    'mongo',
    mongoUri
      ? () =>
          createMongoStore(
            { mongoUri, database: contractDb, writeRetries: 2, retryBaseMs: 10 },
            pino({ level: 'silent' }),
          )
      : null,
  ],
];

/** putMany over documents it wrote, ones written by `put`, new ones, and ones deleted behind its back. */
async function putManyScenario(c: DocCollection<Item>): Promise<void> {
  await c.putMany([
    { _id: 'pm-1', name: 'a', n: 1 },
    { _id: 'pm-2', name: 'b', n: 2 },
  ]);
  await c.put({ _id: 'pm-3', name: 'c', n: 3 });
  await c.putMany([
    { _id: 'pm-1', name: 'a2' },
    { _id: 'pm-2', name: 'b2', n: 20 },
    { _id: 'pm-3', name: 'c2', n: 30 },
    { _id: 'pm-4', name: 'd', n: 4 },
  ]);
  // a second replace of the same ids, and an empty call
  await c.putMany([{ _id: 'pm-2', name: 'b3', n: 21 }]);
  await c.putMany([]);
  expect(await c.getMany(['pm-1', 'pm-2', 'pm-3', 'pm-4'])).toEqual([
    { _id: 'pm-1', name: 'a2' },
    { _id: 'pm-2', name: 'b3', n: 21 },
    { _id: 'pm-3', name: 'c2', n: 30 },
    { _id: 'pm-4', name: 'd', n: 4 },
  ]);
  await c.deleteMany({ _id: { $in: ['pm-1', 'pm-2', 'pm-3', 'pm-4'] } });
  // deleted behind its back: written again
  await c.putMany([{ _id: 'pm-1', name: 'a4' }]);
  expect(await c.get('pm-1')).toEqual({ _id: 'pm-1', name: 'a4' });
  // more than one bulk chunk of replacements
  const many = Array.from({ length: 120 }, (_, i) => ({ _id: `pm-many-${i}`, n: i }));
  await c.putMany(many);
  await c.putMany(many.map((d) => ({ ...d, n: d.n + 1000 })));
  const back = await c.getMany(many.map((d) => d._id));
  expect(back.map((d) => d.n)).toEqual(many.map((d) => d.n + 1000));
}

describe.each(factories)('%s store', (_name, factory) => {
  let store: Store;
  beforeAll(async () => {
    store = factory!();
    await store.init();
  });
  afterAll(async () => {
    await store?.close();
  });
  // every test works in its own slice of a collection, so order does not matter
  const coll = () => store.collection<Item>('clusters');

  it.skipIf(!factory)('answers ping and says whether it is durable', async () => {
    expect(await store.ping()).toBe(true);
    expect(store.durable).toBe(store.kind === 'mongo');
  });

  it.skipIf(!factory)('can be opened again on the same data (indexes already there)', async () => {
    await store.collection<Item>('events').put({ _id: 'reopen', seq: 1_000_000 } as Item);
    const again = factory!();
    await again.init();
    await again.init();
    expect(await again.ping()).toBe(true);
    await again.close();
  });

  it.skipIf(!factory)('puts, gets, replaces and reads many', async () => {
    await coll().put({ _id: 'crud-1', name: 'one', n: 1, tags: ['a', 'b'] });
    await coll().putMany([
      { _id: 'crud-2', name: 'two', n: 2 },
      { _id: 'crud-3', name: 'three', n: 3 },
    ]);
    expect(await coll().get('crud-1')).toEqual({ _id: 'crud-1', name: 'one', n: 1, tags: ['a', 'b'] });
    expect(await coll().get('crud-missing')).toBeNull();
    await coll().put({ _id: 'crud-1', name: 'uno' });
    expect(await coll().get('crud-1')).toEqual({ _id: 'crud-1', name: 'uno' });
    const many = await coll().getMany(['crud-3', 'crud-missing', 'crud-2']);
    expect(many.map((d) => d._id)).toEqual(['crud-3', 'crud-2']);
    expect(await coll().getMany([])).toEqual([]);
  });

  it.skipIf(!factory)('putMany replaces documents it wrote before, ones written elsewhere, and new ones in one call', async () => {
    await putManyScenario(coll());
  });

  it.skipIf(!factory)('returns copies: changing a result does not change the store', async () => {
    await coll().put({ _id: 'copy-1', tags: ['x'] });
    const d = (await coll().get('copy-1'))!;
    d.tags!.push('y');
    expect((await coll().get('copy-1'))!.tags).toEqual(['x']);
  });

  it.skipIf(!factory)('leaves out undefined fields and refuses what FerretDB cannot store', async () => {
    await coll().put({ _id: 'undef-1', name: undefined, n: 5 });
    expect(await coll().get('undef-1')).toEqual({ _id: 'undef-1', n: 5 });
    await expect(coll().put({ _id: 'bad-1', n: Number.NaN })).rejects.toBeInstanceOf(UnportableDocumentError);
    await expect(coll().put({ _id: 'bad-2', tags: [['x']] as unknown as string[] })).rejects.toThrow(/array inside an array/);
    await expect(coll().put({ _id: 'bad-3', ['a.b' as 'name']: 'x' })).rejects.toThrow(/keys may not contain/);
  });

  it.skipIf(!factory)('insertNew reports documents already present and repeats within the batch', async () => {
    await coll().put({ _id: 'ins-1', n: 1 });
    const res = await coll().insertNew([
      { _id: 'ins-1', n: 100 },
      { _id: 'ins-2', n: 2 },
      { _id: 'ins-3', n: 3 },
      { _id: 'ins-2', n: 200 },
    ]);
    expect(res.inserted.sort()).toEqual(['ins-2', 'ins-3']);
    expect(res.duplicates.sort()).toEqual(['ins-1', 'ins-2']);
    expect((await coll().get('ins-1'))!.n).toBe(1);
    expect((await coll().get('ins-2'))!.n).toBe(2);
    expect(await coll().insertNew([])).toEqual({ inserted: [], duplicates: [] });
  });

  it.skipIf(!factory)('update sets fields, increments, upserts and seeds setOnInsert only on insert', async () => {
    expect(await coll().update('upd-1', { name: 'x' })).toBe(false);
    expect(await coll().get('upd-1')).toBeNull();
    expect(await coll().update('upd-1', { name: 'x' }, { upsert: true, inc: { hits: 2 }, setOnInsert: { created: 'first' } })).toBe(true);
    expect(await coll().get('upd-1')).toEqual({ _id: 'upd-1', name: 'x', hits: 2, created: 'first' });
    expect(await coll().update('upd-1', { name: 'y' }, { upsert: true, inc: { hits: 3 }, setOnInsert: { created: 'second' } })).toBe(true);
    expect(await coll().get('upd-1')).toEqual({ _id: 'upd-1', name: 'y', hits: 5, created: 'first' });
    expect(await coll().update('upd-1', {}, { inc: { hits: -1 } })).toBe(true);
    expect((await coll().get('upd-1'))!.hits).toBe(4);
  });

  it.skipIf(!factory)('conditional update applies only when `where` holds', async () => {
    await coll().put({ _id: 'cond-1', owner: null, expiresAt: 100 });
    expect(await coll().update('cond-1', { owner: 'a' }, { where: { owner: 'b' } })).toBe(false);
    expect(await coll().update('cond-1', { owner: 'a', expiresAt: 200 }, { where: { expiresAt: { $lt: 150 } } })).toBe(true);
    expect(await coll().update('cond-1', { owner: 'c' }, { where: { expiresAt: { $lt: 150 } } })).toBe(false);
    expect((await coll().get('cond-1'))!.owner).toBe('a');
    // a lease: upsert when absent, but not over a holder whose lease has not lapsed
    expect(await coll().update('lease-1', { owner: 'a', expiresAt: 1000 }, { upsert: true, where: { expiresAt: { $lt: 500 } } })).toBe(true);
    expect(await coll().update('lease-1', { owner: 'b', expiresAt: 1500 }, { upsert: true, where: { expiresAt: { $lt: 500 } } })).toBe(false);
    expect((await coll().get('lease-1'))!.owner).toBe('a');
    expect(await coll().update('lease-1', { owner: 'b', expiresAt: 2000 }, { upsert: true, where: { expiresAt: { $lt: 1200 } } })).toBe(true);
    expect((await coll().get('lease-1'))!.owner).toBe('b');
  });

  it.skipIf(!factory)('of two concurrent claims on one document exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `claim-${round}`;
      await coll().put({ _id: id, owner: null });
      const results = await Promise.all(
        ['w1', 'w2', 'w3'].map((w) => coll().update(id, { owner: w }, { where: { owner: null } })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = ['w1', 'w2', 'w3'][results.indexOf(true)];
      expect((await coll().get(id))!.owner).toBe(winner);
    }
  });

  it.skipIf(!factory)('updateMany applies many updates in one call and counts those that matched', async () => {
    await coll().putMany([
      { _id: 'um-1', hits: 1, owner: 'a' },
      { _id: 'um-2', hits: 1, owner: 'b' },
    ]);
    const n = await coll().updateMany([
      { id: 'um-1', set: { name: 'one' }, opts: { inc: { hits: 2 } } },
      { id: 'um-2', set: { name: 'two' }, opts: { where: { owner: 'zzz' } } },
      { id: 'um-3', set: { name: 'three' }, opts: { upsert: true, setOnInsert: { created: 'now' } } },
      { id: 'um-4', set: { name: 'four' } },
      { id: 'um-2', set: { name: 'lease' }, opts: { upsert: true, where: { owner: 'nobody' } } },
    ]);
    expect(n).toBe(2);
    expect(await coll().get('um-1')).toEqual({ _id: 'um-1', hits: 3, owner: 'a', name: 'one' });
    expect((await coll().get('um-2'))!.name).toBeUndefined();
    expect(await coll().get('um-3')).toEqual({ _id: 'um-3', name: 'three', created: 'now' });
    expect(await coll().get('um-4')).toBeNull();
    expect(await coll().updateMany([])).toBe(0);
  });

  it.skipIf(!factory)('finds with equality, $in, $ne, ranges, $exists, sort, skip and limit; counts and deletes', async () => {
    const c = store.collection<Item>('outreach');
    await c.putMany([
      { _id: 'f1', tier: 'enterprise', n: 5, tags: ['red'] },
      { _id: 'f2', tier: 'growth', n: 1 },
      { _id: 'f3', tier: 'starter', n: 9, tags: ['blue'] },
      { _id: 'f4', tier: 'growth', n: 7 },
      { _id: 'f5', tier: 'enterprise', n: 3, name: 'e' },
    ]);
    const ids = (docs: Item[]) => docs.map((d) => d._id);
    expect(ids(await c.find({ tier: 'growth' }, { sort: [['n', 1]] }))).toEqual(['f2', 'f4']);
    expect(ids(await c.find({ tier: { $in: ['enterprise', 'starter'] } }, { sort: [['n', -1]] }))).toEqual(['f3', 'f1', 'f5']);
    expect(ids(await c.find({ n: { $gte: 3, $lt: 9 } }, { sort: [['n', 1]] }))).toEqual(['f5', 'f1', 'f4']);
    expect(ids(await c.find({ tier: { $ne: 'growth' } }, { sort: [['_id', 1]] }))).toEqual(['f1', 'f3', 'f5']);
    expect(ids(await c.find({ name: { $exists: true } }))).toEqual(['f5']);
    expect(ids(await c.find({ tags: 'red' }))).toEqual(['f1']);
    expect(ids(await c.find({}, { sort: [['tier', 1], ['n', -1]] }))).toEqual(['f1', 'f5', 'f4', 'f2', 'f3']);
    expect(ids(await c.find({}, { sort: [['n', 1]], skip: 1, limit: 2 }))).toEqual(['f5', 'f1']);
    expect(await c.count()).toBe(5);
    expect(await c.count({ tier: 'enterprise' })).toBe(2);
    expect(await c.deleteMany({ n: { $lt: 4 } })).toBe(2);
    expect(ids(await c.find({}, { sort: [['_id', 1]] }))).toEqual(['f1', 'f3', 'f4']);
    expect(await c.deleteMany({})).toBe(3);
    expect(await c.count()).toBe(0);
  });

  it.skipIf(!factory)('a sorted page (skip, limit) is the same slice of the whole sorted answer, filtered or not', async () => {
    const c = store.collection<Item>('health');
    // many documents sharing sort keys, written out of order, so a page that kept the wrong ones shows
    const docs: Item[] = Array.from({ length: 60 }, (_, i) => ({ _id: `pg-${String((i * 37) % 60).padStart(2, '0')}`, n: (i * 7) % 11, tier: i % 3 === 0 ? 'growth' : 'starter' }));
    await c.putMany(docs);
    const ids = (list: Item[]) => list.map((d) => d._id);
    for (const filter of [{}, { tier: 'growth' }, { n: { $gte: 4 } }]) {
      for (const sort of [[['n', -1], ['_id', 1]], [['n', 1], ['_id', -1]]] as Array<Array<[string, 1 | -1]>>) {
        const all = ids(await c.find(filter, { sort }));
        expect(all.length).toBe(await c.count(filter));
        for (const [skip, limit] of [[0, 1], [0, 7], [5, 10], [all.length - 2, 5], [all.length + 3, 4]] as Array<[number, number]>) {
          expect(ids(await c.find(filter, { sort, skip, limit }))).toEqual(all.slice(skip, skip + limit));
        }
      }
    }
    await c.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
  });

  it.skipIf(!factory)('counts with $in on an indexed field, duplicates in the list counted once', async () => {
    const c = store.collection<Item>('alerts');
    await c.putMany([
      { _id: 'ci-1', status: 'pending' },
      { _id: 'ci-2', status: 'sending' },
      { _id: 'ci-3', status: 'sent' },
      { _id: 'ci-4', status: 'pending' },
      { _id: 'ci-5', status: 7 },
      { _id: 'ci-6' },
    ] as Item[]);
    expect(await c.count({ status: { $in: ['pending', 'sending'] } })).toBe(3);
    expect(await c.count({ status: { $in: ['pending', 'pending'] } })).toBe(2);
    expect(await c.count({ status: { $in: [7, 'sent'] } })).toBe(2);
    expect(await c.count({ status: { $in: [] } })).toBe(0);
    await c.update('ci-3', { status: 'pending' });
    expect(await c.count({ status: { $in: ['pending'] } })).toBe(3);
    await c.deleteMany({ _id: { $in: ['ci-1', 'ci-2', 'ci-3', 'ci-4', 'ci-5', 'ci-6'] } });
    expect(await c.count({ status: { $in: ['pending', 'sending', 'sent', 7] } })).toBe(0);
  });

  it.skipIf(!factory)('reads the event log in seq order from a position, and keeps seq unique', async () => {
    const ev = store.collection<Item & { seq: number }>('events');
    await ev.insertNew([3, 1, 2, 5, 4].map((seq) => ({ _id: `e${seq}`, seq })));
    const after = await ev.find({ seq: { $gt: 2 } }, { sort: [['seq', 1]], limit: 2 });
    expect(after.map((d) => d.seq)).toEqual([3, 4]);
    const desc = await ev.find({ seq: { $lte: 4 } }, { sort: [['seq', -1]], limit: 3 });
    expect(desc.map((d) => d.seq)).toEqual([4, 3, 2]);
    await expect(ev.insertNew([{ _id: 'e-other', seq: 3 }])).rejects.toThrow();
    expect(await ev.get('e-other')).toBeNull();
  });

  it.skipIf(!factory)('reserveSeq hands out disjoint, increasing ranges under concurrency', async () => {
    const sizes = [1, 5, 3, 10, 2, 7, 1, 4];
    const firsts = await Promise.all(sizes.map((n) => store.reserveSeq('contract', n)));
    const taken = new Set<number>();
    firsts.forEach((first, i) => {
      for (let k = 0; k < sizes[i]!; k++) taken.add(first + k);
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(taken.size).toBe(total);
    expect(Math.min(...taken)).toBe(1);
    expect(Math.max(...taken)).toBe(total);
    expect(await store.reserveSeq('contract', 1)).toBe(total + 1);
    expect(await store.reserveSeq('other-seq', 2)).toBe(1);
  });
});

describe.skipIf(!mongoUri)('mongo store replacing in place (the strategy for MongoDB proper)', () => {
  let store: Store;
  beforeAll(async () => {
    store = createMongoStore({ mongoUri: mongoUri!, database: contractDb, writeRetries: 2, retryBaseMs: 10 }, pino({ level: 'silent' }), { replaceStrategy: 'replace' });
    await store.init();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('putMany gives the same documents as the delete-and-insert strategy', async () => {
    await putManyScenario(store.collection<Item>('accounts'));
  });
});
