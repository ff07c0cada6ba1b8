// The MongoDB store's server-specific write forms (packed nested values, conditional updates checked
// in process): each gives the same answers as the plain form, and the packed form is what is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { MongoClient } from 'mongodb';
import { createMongoStore, type MongoStoreOptions } from '../../src/store/mongo/mongo-store.js';
import { packDocument, unpackDocument } from '../../src/store/mongo/nested-values.js';
import type { Doc, Store } from '../../src/store/repository.js';
import { mongoUriOrSkip, uniqueDatabase } from '../support/mongo.js';

const mongoUri = mongoUriOrSkip();

interface Rich extends Doc {
  status?: string;
  n?: number;
  owner?: string | null;
  tags?: string[];
  when?: Date;
  payload?: { a: number; list: Array<{ k: string; v: number | null }>; at?: Date };
  rows?: Array<{ x: number; y: string }>;
  empty?: unknown[];
  note?: string;
}

const rich = (id: string, n: number): Rich => ({
  _id: id,
  status: n % 2 ? 'open' : 'closed',
  n,
  owner: null,
  tags: ['red', `t${n}`],
  when: new Date(Date.UTC(2026, 0, 1) + n),
  payload: { a: n, list: [{ k: 'one', v: 1 }, { k: 'none', v: null }] },
  rows: [{ x: n, y: 'why' }],
  empty: [],
  note: 'plain "quoted" text \\ with a backslash',
});

describe('nested values packing', () => {
  it('packs sub-documents and arrays of them, leaves scalars, scalar arrays, empty arrays and Dates alone, and reads back the same', () => {
    const doc = { ...rich('p1', 3), withDate: { at: new Date(5) } } as Rich & { withDate: { at: Date } };
    const packed = packDocument(doc as unknown as Record<string, unknown>);
    expect(typeof packed.payload).toBe('string');
    expect(typeof packed.rows).toBe('string');
    expect(packed.tags).toEqual(doc.tags);
    expect(packed.empty).toEqual([]);
    expect(packed.when).toEqual(doc.when);
    // a sub-document holding a Date stays a sub-document (JSON would turn the Date into a string)
    expect(packed.withDate).toEqual({ at: new Date(5) });
    expect(packed._id).toBe('p1');
    expect(unpackDocument(structuredClone(packed))).toEqual(doc);
  });
});

const variants: Array<[string, MongoStoreOptions]> = [
  ['native documents, conditions in the filter', { nestedValues: 'native', conditionalUpdates: 'server' }],
  ['packed documents, conditions checked in process', { nestedValues: 'json', conditionalUpdates: 'read-check-write' }],
];

describe.skipIf(!mongoUri)('mongo store write forms', () => {
  const database = uniqueDatabase('forms');
  const stores: Store[] = [];
  let raw: MongoClient;
  beforeAll(async () => {
    for (const [, opts] of variants) {
      const s = createMongoStore({ mongoUri: mongoUri!, database, writeRetries: 2, retryBaseMs: 10 }, pino({ level: 'silent' }), opts);
      await s.init();
      stores.push(s);
    }
    raw = new MongoClient(mongoUri!);
    await raw.connect();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await raw?.close();
  });

  /** Runs the same calls through each variant, each in its own id range, and returns what each answered. */
  async function both<R>(run: (store: Store, prefix: string) => Promise<R>): Promise<R[]> {
    const out: R[] = [];
    for (let i = 0; i < stores.length; i++) out.push(await run(stores[i]!, `v${i}-`));
    return out;
  }

  it('answers reads, filters and updates alike', async () => {
    const answers = await both(async (store, p) => {
      const c = store.collection<Rich>('outreach');
      await c.putMany([rich(`${p}a`, 1), rich(`${p}b`, 2), rich(`${p}c`, 3)]);
      await c.put(rich(`${p}d`, 4));
      await c.insertNew([rich(`${p}e`, 5), rich(`${p}a`, 9)]);
      await c.putMany([{ ...rich(`${p}b`, 2), payload: { a: 20, list: [] } }]);
      const results: unknown[] = [];
      results.push(await c.update(`${p}a`, { payload: { a: 7, list: [{ k: 'set', v: 7 }] } }, { where: { status: 'open', owner: null } }));
      results.push(await c.update(`${p}c`, { owner: 'me' }, { where: { status: 'closed' } }));
      results.push(await c.update(`${p}c`, { owner: 'me' }, { where: { owner: { $in: [null, 'x'] }, n: { $gte: 3 } }, inc: { n: 10 } }));
      results.push(await c.update(`${p}new`, { rows: [{ x: 1, y: 'new' }] }, { upsert: true, where: { status: 'none' }, setOnInsert: { payload: { a: 0, list: [] } } }));
      results.push(await c.update(`${p}new`, { note: 'again' }, { upsert: true, where: { status: 'none' } }));
      results.push(await c.updateMany([
        { id: `${p}d`, set: { owner: 'bulk' }, opts: { where: { owner: null } } },
        { id: `${p}e`, set: { owner: 'bulk' }, opts: { where: { owner: 'someone' } } },
        { id: `${p}b`, set: { rows: [{ x: 2, y: 'bulk' }] } },
      ]));
      const strip = (docs: Rich[]) => docs.map((d) => ({ ...d, _id: d._id.slice(p.length) }));
      results.push(strip(await c.find({ _id: { $gte: p, $lt: `${p}~` } }, { sort: [['_id', 1]] })));
      results.push(strip(await c.find({ _id: { $gte: p, $lt: `${p}~` }, tags: 't3' })));
      results.push(strip(await c.find({ _id: { $gte: p, $lt: `${p}~` }, payload: { $exists: true }, owner: { $ne: 'me' } }, { sort: [['n', -1]], limit: 2 })));
      results.push(strip(await c.getMany([`${p}e`, `${p}missing`, `${p}a`])));
      results.push(await c.count({ _id: { $gte: p, $lt: `${p}~` }, rows: { $exists: true } }));
      return results;
    });
    expect(answers[1]).toEqual(answers[0]);
    // and what was asked for happened
    const [a, c, c2, upserted, again, bulk, all] = answers[0]! as [boolean, boolean, boolean, boolean, boolean, number, Rich[]];
    expect([a, c, c2, upserted, again, bulk]).toEqual([true, false, true, true, true, 2]);
    expect(all.find((d) => d._id === 'a')!.payload).toEqual({ a: 7, list: [{ k: 'set', v: 7 }] });
    expect(all.find((d) => d._id === 'c')).toMatchObject({ owner: 'me', n: 13 });
    expect(all.find((d) => d._id === 'new')).toEqual({ _id: 'new', status: 'none', rows: [{ x: 1, y: 'new' }], payload: { a: 0, list: [] }, note: 'again' });
  });

  it('stores packed documents as single strings per nested field, and plain ones as sub-documents', async () => {
    await stores[0]!.collection<Rich>('outreach').put(rich('raw-native', 1));
    await stores[1]!.collection<Rich>('outreach').put(rich('raw-packed', 1));
    const coll = raw.db(database).collection<{ _id: string }>('outreach');
    const native = await coll.findOne({ _id: 'raw-native' });
    const packed = await coll.findOne({ _id: 'raw-packed' });
    expect(typeof native!.payload).toBe('object');
    expect(typeof packed!.payload).toBe('string');
    expect(typeof packed!.rows).toBe('string');
    expect(packed!.tags).toEqual(['red', 't1']);
    // either store reads what the other wrote
    expect({ ...(await stores[0]!.collection<Rich>('outreach').get('raw-packed')), _id: 'x' }).toEqual({ ...rich('raw-native', 1), _id: 'x' });
    expect({ ...(await stores[1]!.collection<Rich>('outreach').get('raw-native')), _id: 'x' }).toEqual({ ...rich('raw-packed', 1), _id: 'x' });
  });

  it('a condition checked in process still lets exactly one of concurrent claims win', async () => {
    const c = stores[1]!.collection<Rich>('outreach');
    for (let round = 0; round < 5; round++) {
      const id = `claim-rcw-${round}`;
      await c.put({ _id: id, owner: null });
      const results = await Promise.all(['w1', 'w2', 'w3'].map((w) => c.update(id, { owner: w }, { where: { owner: null } })));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await c.get(id))!.owner).toBe(['w1', 'w2', 'w3'][results.indexOf(true)]);
    }
  });
});
