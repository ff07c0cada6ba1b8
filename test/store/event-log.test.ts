// The event log on both stores: idempotent appends (by event id, in the store and within a
// batch), seq order without overlaps under concurrent appends, and reads forward from a position.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import type { Store } from '../../src/store/repository.js';
import { EventLog } from '../../src/events/event-log.js';
import type { VigilEvent } from '../../src/events/types.js';
import { silentLogger } from '../../src/logging.js';
import { mongoUriOrSkip, uniqueDatabase } from '../support/mongo.js';

const mongoUri = mongoUriOrSkip();

const ev = (id: string, occurredAt = 1000): VigilEvent => ({ id, type: 'ticket.created', occurredAt, accountId: 'a1', ticketId: `t-${id}` });

const factories: Array<[string, (() => Store) | null]> = [
  ['memory', () => createMemoryStore()],
  ['mongo', mongoUri ? () => createMongoStore({ mongoUri, database: uniqueDatabase('eventlog'), writeRetries: 2, retryBaseMs: 10 }, silentLogger()) : null],
];

describe.each(factories)('EventLog on the %s store', (_name, factory) => {
  let store: Store;
  let log: EventLog;
  beforeAll(async () => {
    if (!factory) return;
    store = factory();
    await store.init();
    log = new EventLog(store);
  });
  afterAll(async () => {
    await store?.close();
  });

  it.skipIf(!factory)('appends new events once, counting resends and repeats as duplicates', async () => {
    const first = await log.append([ev('a'), ev('b'), ev('a')], 5);
    expect(first).toEqual({ accepted: 2, duplicates: 1, firstSeq: 1, lastSeq: 2 });
    // a resend's reserved seq stays unused (a gap the reader passes), so 'c' gets 4
    const again = await log.append([ev('b'), ev('c')], 6);
    expect(again).toEqual({ accepted: 1, duplicates: 1, firstSeq: 4, lastSeq: 4 });
    expect(await log.append([ev('a'), ev('c')], 7)).toEqual({ accepted: 0, duplicates: 2, firstSeq: undefined, lastSeq: undefined });
    expect(await log.append([], 7)).toEqual({ accepted: 0, duplicates: 0 });
    expect(await log.count()).toBe(3);
    const all = await log.readAfter(0, 10);
    expect(all).toEqual([
      { ...ev('a'), seq: 1, receivedAt: 5 },
      { ...ev('b'), seq: 2, receivedAt: 5 },
      { ...ev('c'), seq: 4, receivedAt: 6 },
    ]);
    expect((await log.readAfter(1, 1)).map((e) => e.id)).toEqual(['b']);
    expect((await log.readAfter(2, 1)).map((e) => e.id)).toEqual(['c']);
    expect(await log.lastSeq()).toBe(4);
  });

  it.skipIf(!factory)('gives concurrent appends disjoint seqs and stores an event sent by two of them once', async () => {
    const before = await log.lastSeq();
    const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 20 }, (_, i) => ev(`c-${b}-${i}`)));
    batches.push(batches[0]!.slice(0, 10)); // a resend racing its original
    const results = await Promise.all(batches.map((b) => log.append(b, 9)));
    const accepted = results.reduce((n, r) => n + r.accepted, 0);
    const duplicates = results.reduce((n, r) => n + r.duplicates, 0);
    expect(accepted).toBe(120);
    expect(duplicates).toBe(10);
    const stored = await log.readAfter(before, 1000);
    expect(stored).toHaveLength(120);
    expect(new Set(stored.map((e) => e.id)).size).toBe(120);
    const seqs = stored.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(120);
  });
});
