import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { MongoSource } from '../../../src/pipeline/sources/mongo-source.js';
import { FieldMappingError } from '../../../src/pipeline/sources/field-mapping.js';
import { createMemoryStore } from '../../../src/store/memory/memory-store.js';
import type { DocCollection, Doc } from '../../../src/store/repository.js';
import type { VigilEvent } from '../../../src/events/types.js';
import type { Problem } from '../../../src/events/validate.js';
import { EventLog } from '../../../src/events/event-log.js';
import { createMongoStore } from '../../../src/store/mongo/mongo-store.js';
import { pino } from 'pino';
import { mongoUriOrSkip, uniqueDatabase } from '../../support/mongo.js';
import { freePort } from '../../support/ferretdb.js';

const uri = mongoUriOrSkip();
const POLL_MS = 50;
/** Upper bound on waiting for the background loop; the loop polls every POLL_MS. */
const WAIT_MS = 10_000;

/** The platform's own names: what a mapping has to translate. */
const MAPPING = { type: 'kind', occurredAt: 'ts', accountId: 'org.id', ticketId: 'ticket', text: 'body', author: 'from' };

function platformDoc(n: number, overrides: Document = {}): Document {
  return {
    kind: 'ticket.message',
    ts: new Date(Date.UTC(2026, 4, 1, 10, 0, n)),
    org: { id: `acct-${n % 3}` },
    ticket: 1000 + n,
    body: `message ${n}`,
    from: 'customer',
    ...overrides,
  };
}

async function waitFor(cond: () => boolean): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What the event log would do with appended events: keep one per id, in arrival order. */
function recordingLog() {
  const byId = new Map<string, VigilEvent>();
  const batches: VigilEvent[][] = [];
  return {
    byId,
    batches,
    append: async (events: VigilEvent[]) => {
      batches.push(events);
      for (const e of events) if (!byId.has(e.id)) byId.set(e.id, e);
      return { accepted: events.length };
    },
  };
}

describe.skipIf(!uri)('MongoSource on FerretDB', () => {
  const database = uniqueDatabase('source');
  let client: MongoClient;
  let coll: Collection<Document>;

  beforeAll(async () => {
    client = new MongoClient(uri!);
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
  });

  function newCollection(name: string): Collection<Document> {
    coll = client.db(database).collection(name);
    return coll;
  }

  function source(collection: string, kv: DocCollection<Doc>, log: ReturnType<typeof recordingLog>, extra: Partial<ConstructorParameters<typeof MongoSource>[0]> = {}) {
    const rejected: Array<{ docId: string; errors: Problem[] }> = [];
    const src = new MongoSource({
      uri: uri!,
      database,
      collection,
      pollMs: POLL_MS,
      mapping: MAPPING,
      kv,
      append: log.append,
      onRejected: (docId, errors) => rejected.push({ docId, errors }),
      // documents here are inserted and read at once; the settle window has its own test
      settleMs: 0,
      ...extra,
    });
    return { src, rejected };
  }

  it('delivers inserted documents mapped to events, reports bad ones, and resumes after a restart without loss or repeats', async () => {
    const c = newCollection('ticket_events_a');
    const kv = createMemoryStore().collection<Doc>('kv');
    const log = recordingLog();
    const ids = (await c.insertMany([platformDoc(1), platformDoc(2), platformDoc(3)])).insertedIds;
    const bad1 = new ObjectId();
    const bad2 = new ObjectId();
    await c.insertMany([
      { _id: bad1, ...platformDoc(4, { org: { name: 'no id here' } }) },
      { _id: bad2, ...platformDoc(5, { kind: 'ticket.deleted' }) },
    ]);

    const first = source('ticket_events_a', kv, log);
    await first.src.start();
    await waitFor(() => log.byId.size === 3 && first.rejected.length === 2);
    expect(first.src.stats().mode).toBe('polling'); // FerretDB has no change streams

    const e1 = log.byId.get(ids[0]!.toHexString());
    expect(e1).toEqual({
      id: ids[0]!.toHexString(),
      type: 'ticket.message',
      occurredAt: Date.UTC(2026, 4, 1, 10, 0, 1),
      accountId: 'acct-1',
      ticketId: '1001',
      author: 'customer',
      text: 'message 1',
    });
    expect([...log.byId.keys()]).toEqual([0, 1, 2].map((i) => ids[i]!.toHexString()));
    expect(first.rejected.map((r) => r.docId)).toEqual([bad1.toHexString(), bad2.toHexString()]);
    expect(first.rejected[0]!.errors.map((e) => e.field)).toEqual(['accountId']);
    expect(first.rejected[1]!.errors.map((e) => e.field)).toEqual(['type']);
    expect(first.src.stats()).toMatchObject({ delivered: 3, rejected: 2, lastId: bad2.toHexString() });
    await first.src.stop();

    // While it is down, more tickets arrive.
    const later = (await c.insertMany([platformDoc(6), platformDoc(7)])).insertedIds;
    const appendsBefore = log.batches.flat().length;
    const second = source('ticket_events_a', kv, log);
    await second.src.start();
    await waitFor(() => log.byId.size === 5);
    await new Promise((r) => setTimeout(r, 4 * POLL_MS)); // a few idle polls: nothing more comes
    await second.src.stop();
    const appendedAfterRestart = log.batches.flat().slice(appendsBefore).map((e) => e.id);
    expect(appendedAfterRestart).toEqual([later[0]!.toHexString(), later[1]!.toHexString()]);
    expect(second.rejected).toEqual([]);
  });

  it('reads in batches, keeps the position only after a successful append, and re-reads a failed batch', async () => {
    const c = newCollection('ticket_events_b');
    const kv = createMemoryStore().collection<Doc>('kv');
    const log = recordingLog();
    await c.insertMany([1, 2, 3, 4, 5].map((n) => platformDoc(n)));
    let failNext = false;
    const { src } = source('ticket_events_b', kv, log, {
      batchSize: 2,
      append: async (events) => {
        if (failNext) {
          failNext = false;
          throw new Error('event log unavailable');
        }
        return log.append(events);
      },
    });
    expect(await src.pollOnce()).toBe(2);
    failNext = true;
    await expect(src.pollOnce()).rejects.toThrow('event log unavailable');
    expect(log.byId.size).toBe(2);
    expect(await src.pollOnce()).toBe(2); // the same batch again
    expect(await src.pollOnce()).toBe(1);
    expect(await src.pollOnce()).toBe(0);
    await src.stop();
    expect(log.byId.size).toBe(5);
    expect(log.batches.map((b) => b.length)).toEqual([2, 2, 1]);
    const saved = (await kv.find({})).find((d) => d._id.startsWith('source:mongo:'));
    expect(saved).toMatchObject({ _id: `source:mongo:${database}.ticket_events_b`, lastIdType: 'objectId' });
  });

  it('takes the event id from a mapped field when there is one', async () => {
    const c = newCollection('ticket_events_c');
    const log = recordingLog();
    await c.insertMany([platformDoc(1, { eventRef: 'zd-881' }), platformDoc(2, { eventRef: 'zd-882' })]);
    const { src, rejected } = source('ticket_events_c', createMemoryStore().collection<Doc>('kv'), log, {
      mapping: { ...MAPPING, id: 'eventRef' },
    });
    expect(await src.pollOnce()).toBe(2);
    await src.stop();
    expect([...log.byId.keys()]).toEqual(['zd-881', 'zd-882']);
    expect(rejected).toEqual([]);
  });

  it('leaves ObjectIds younger than the settle window for later, so an insert committed out of order is not passed over', async () => {
    const c = newCollection('ticket_events_d');
    const log = recordingLog();
    const nowSec = 1_900_000_000;
    let now = nowSec * 1000;
    const oid = (sec: number, n: number) => new ObjectId(sec.toString(16).padStart(8, '0') + n.toString(16).padStart(16, '0'));
    const settled = oid(nowSec - 60, 1);
    const fresh = oid(nowSec, 3);
    await c.insertMany([
      { _id: settled, ...platformDoc(1) },
      { _id: fresh, ...platformDoc(3) },
    ]);
    const { src } = source('ticket_events_d', createMemoryStore().collection<Doc>('kv'), log, { settleMs: 2000, clock: () => now });
    expect(await src.pollOnce()).toBe(1);
    expect([...log.byId.keys()]).toEqual([settled.toHexString()]);
    // A writer whose id was made a second before `fresh` commits only now.
    const straggler = oid(nowSec - 1, 2);
    await c.insertOne({ _id: straggler, ...platformDoc(2) });
    now += 3000;
    expect(await src.pollOnce()).toBe(2);
    await src.stop();
    expect([...log.byId.keys()]).toEqual([settled, straggler, fresh].map((o) => o.toHexString()));
  });

  it('reads collections with string ids (no settle window applies to them)', async () => {
    const c = newCollection('ticket_events_e');
    const log = recordingLog();
    await c.insertMany([{ _id: 'evt-b', ...platformDoc(2) } as Document, { _id: 'evt-a', ...platformDoc(1) } as Document]);
    const kv = createMemoryStore().collection<Doc>('kv');
    const first = source('ticket_events_e', kv, log, { settleMs: 2000 });
    expect(await first.src.pollOnce()).toBe(2);
    await first.src.stop();
    await c.insertOne({ _id: 'evt-c', ...platformDoc(3) } as Document);
    const second = source('ticket_events_e', kv, log, { settleMs: 2000 });
    expect(await second.src.pollOnce()).toBe(1);
    await second.src.stop();
    expect([...log.byId.keys()]).toEqual(['evt-a', 'evt-b', 'evt-c']);
  });

  it('into the real event log on FerretDB: a crash between append and saving the position re-reads the batch and changes no count', async () => {
    const c = newCollection('ticket_events_f');
    await c.insertMany([1, 2, 3, 4, 5, 6, 7].map((n) => platformDoc(n)));
    const store = createMongoStore({ mongoUri: uri!, database: uniqueDatabase('source_log'), writeRetries: 1, retryBaseMs: 20 }, pino({ level: 'silent' }));
    await store.init();
    try {
      const eventLog = new EventLog(store);
      const kv = store.collection<Doc>('kv');
      let crashOnSave = true;
      // The position write fails once, as if the process died right after the append.
      const flakyKv = new Proxy(kv, {
        get(target, prop, receiver) {
          if (prop === 'put') {
            return async (doc: Doc) => {
              if (crashOnSave) {
                crashOnSave = false;
                throw new Error('killed before the position was saved');
              }
              return target.put(doc);
            };
          }
          return Reflect.get(target, prop, receiver);
        },
      });
      const results: Array<{ accepted: number; duplicates: number }> = [];
      const make = (k: DocCollection<Doc>) =>
        new MongoSource({
          uri: uri!,
          database,
          collection: 'ticket_events_f',
          pollMs: POLL_MS,
          mapping: MAPPING,
          kv: k,
          settleMs: 0,
          batchSize: 4,
          append: async (events) => {
            const r = await eventLog.append(events, Date.now());
            results.push(r);
            return r;
          },
        });
      const crashed = make(flakyKv);
      await expect(crashed.pollOnce()).rejects.toThrow('killed before the position was saved');
      await crashed.stop();
      const restarted = make(kv);
      while ((await restarted.pollOnce()) > 0);
      await restarted.stop();
      expect(results).toEqual([
        expect.objectContaining({ accepted: 4, duplicates: 0 }),
        expect.objectContaining({ accepted: 0, duplicates: 4 }),
        expect.objectContaining({ accepted: 3, duplicates: 0 }),
      ]);
      expect(await store.collection('eventIds').count()).toBe(7);
    } finally {
      await store.close();
    }
  });

  it('starts without its source database and stops without waiting for it', async () => {
    const deadUri = `mongodb://127.0.0.1:${await freePort()}/`;
    const log = recordingLog();
    const src = new MongoSource({
      uri: deadUri,
      database,
      collection: 'nowhere',
      pollMs: POLL_MS,
      mapping: MAPPING,
      kv: createMemoryStore().collection<Doc>('kv'),
      append: log.append,
    });
    await src.start(); // returns although nothing answers
    expect(src.stats().mode).toBe('polling');
    await new Promise((r) => setTimeout(r, 2 * POLL_MS));
    // stop() interrupts the read that waits for a server; bounded here well under the driver's 30 s selection timeout.
    const stopped = await Promise.race([src.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting'), 5_000))]);
    expect(stopped).toBe('stopped');
    expect(log.batches).toEqual([]);
  });

  it('refuses a mapping that names no event field, before connecting', () => {
    expect(
      () =>
        new MongoSource({
          uri: uri!,
          database,
          collection: 'x',
          pollMs: POLL_MS,
          mapping: { acount: 'org_id' },
          kv: createMemoryStore().collection<Doc>('kv'),
          append: async () => undefined,
        }),
    ).toThrowError(FieldMappingError);
  });
});
