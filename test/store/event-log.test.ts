// The event log on both stores: idempotent appends (by event id, in the store and within a
// batch), seq order without overlaps under concurrent appends, and reads forward from a position.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import type { Store } from '../../src/store/repository.js';
import { EventLog, WriteInFlightError } from '../../src/events/event-log.js';
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
    expect(first.accepted).toBe(2);
    expect(first.duplicates).toBe(1);
    expect(first.lastSeq! - first.firstSeq!).toBe(1);
    const again = await log.append([ev('b'), ev('c')], 6);
    expect(again.accepted).toBe(1);
    expect(again.duplicates).toBe(1);
    expect(again.firstSeq!).toBeGreaterThan(first.lastSeq!);
    expect(await log.append([ev('a'), ev('c')], 7)).toEqual({ accepted: 0, duplicates: 2, firstSeq: undefined, lastSeq: undefined });
    expect(await log.append([], 7)).toEqual({ accepted: 0, duplicates: 0 });
    expect(await log.count()).toBe(3);
    const all = await log.readAfter(0, 10);
    expect(all).toEqual([
      { ...ev('a'), seq: first.firstSeq, receivedAt: 5 },
      { ...ev('b'), seq: first.lastSeq, receivedAt: 5 },
      { ...ev('c'), seq: again.firstSeq, receivedAt: 6 },
    ]);
    expect((await log.readAfter(first.firstSeq!, 1)).map((e) => e.id)).toEqual(['b']);
    expect((await log.readAfter(first.lastSeq!, 1)).map((e) => e.id)).toEqual(['c']);
    expect((await log.readAfter(again.lastSeq!, 10))).toEqual([]);
    expect(await log.lastSeq()).toBe(again.lastSeq);
    expect((await log.readSeqs([first.lastSeq!, again.firstSeq!])).map((e) => e.id).sort()).toEqual(['b', 'c']);
  });

  it.skipIf(!factory)('takes over events whose write died between marker and segment, and asks a too-early resend to retry', async () => {
    let now = 1_000_000;
    const clocked = new EventLog(store, { clock: () => now, reclaimAfterMs: 5000 });
    const before = await clocked.lastSeq();
    // a write that died after its markers: markers pointing at a segment that never appears
    const deadSeg = await store.reserveSeq('eventSegments', 1);
    await store.collection('eventIds').insertNew([{ _id: 'lost-1', seg: deadSeg, at: now } as never, { _id: 'lost-2', seg: deadSeg, at: now } as never]);
    await expect(clocked.append([ev('lost-1'), ev('lost-2'), ev('fresh-1')], 8)).rejects.toThrow(WriteInFlightError);
    now += 6000;
    const retry = await clocked.append([ev('lost-1'), ev('lost-2'), ev('fresh-1')], 9);
    expect(retry).toMatchObject({ accepted: 2, duplicates: 1 });
    const batch = await clocked.readBatch(before, 100, 0);
    expect(batch.events.map((e) => e.id).sort()).toEqual(['fresh-1', 'lost-1', 'lost-2']);
    const again = await clocked.readBatch(batch.position, 100, 0);
    expect(again.events).toEqual([]);
  });

  it.skipIf(!factory)('a write that lands after a resend took its number is not stored twice; one the reader passed over is stored again', async () => {
    let now = 3_000_000;
    const clocked = new EventLog(store, { clock: () => now, reclaimAfterMs: 5000 });
    const lateWrite = (no: number, events: VigilEvent[]) =>
      (clocked as unknown as { writeSegment(no: number, events: VigilEvent[], receivedAt: number): Promise<unknown[]> }).writeSegment(no, events, 11);
    const start = (await clocked.readBatch(0, 100_000, 0)).position;
    // a stalled write: markers stored, its segment not yet
    const slowSeg = await store.reserveSeq('eventSegments', 1);
    await store.collection('eventIds').insertNew([{ _id: 'slow-1', seg: slowSeg, at: now } as never]);
    now += 6000;
    expect(await clocked.append([ev('slow-1')], 12)).toMatchObject({ accepted: 1, duplicates: 0 });
    // the stalled write finally lands: its number is taken, its event belongs to the resend
    expect(await lateWrite(slowSeg, [ev('slow-1')])).toEqual([]);
    // another stalled write, passed over by the reader once later segments exist
    const passedSeg = await store.reserveSeq('eventSegments', 1);
    await store.collection('eventIds').insertNew([{ _id: 'passed-1', seg: passedSeg, at: now } as never]);
    await clocked.append([ev('after-passed')], 13);
    expect((await clocked.readBatch(start, 100, 0)).events.map((e) => e.id).sort()).toEqual(['after-passed', 'slow-1']);
    // the writer wakes up, finds its number passed over and writes its event again, once
    expect(await lateWrite(passedSeg, [ev('passed-1')])).toHaveLength(1);
    now += 6000;
    expect(await clocked.append([ev('passed-1'), ev('slow-1')], 14)).toMatchObject({ accepted: 0, duplicates: 2 });
    const all = await clocked.readBatch(start, 100, 0);
    expect(all.events.map((e) => e.id).sort()).toEqual(['after-passed', 'passed-1', 'slow-1']);
  });

  it.skipIf(!factory)('waits for a missing segment with later ones present, then passes it', async () => {
    let now = 2_000_000;
    const clocked = new EventLog(store, { clock: () => now });
    const start = (await clocked.readBatch(0, 100_000, 0)).position;
    await store.reserveSeq('eventSegments', 1); // a write in flight that never lands
    await clocked.append([ev('after-gap')], 10);
    expect((await clocked.readBatch(start, 100, 1000)).events).toEqual([]);
    now += 1500;
    expect((await clocked.readBatch(start, 100, 1000)).events.map((e) => e.id)).toEqual(['after-gap']);
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

  it.skipIf(!factory)('reads events back in one shape, with the values they were appended with', async () => {
    const mixed: VigilEvent[] = [
      { id: 'shape-1', type: 'ticket.message', occurredAt: 2000, accountId: 'a2', ticketId: 't1', author: 'customer', text: 'hello' },
      { id: 'shape-2', type: 'ticket.csat', occurredAt: 2001, accountId: 'a2', ticketId: 't1', csat: 4 },
      { id: 'shape-3', type: 'error.reported', occurredAt: 2002, accountId: 'a2', error: 'E_TIMEOUT', tags: ['x'], category: 'api', channel: 'email' },
    ];
    const res = await log.append(mixed, 9);
    // a fresh reader reads the store, not this writer's kept copy
    for (const reader of [log, new EventLog(store)]) {
      const back = (await reader.readAfter(res.firstSeq! - 1, 100)).filter((e) => e.id.startsWith('shape-'));
      expect(back.map((e) => e.id)).toEqual(['shape-1', 'shape-2', 'shape-3']);
      const keys = back.map((e) => Object.keys(e).join(','));
      expect(new Set(keys).size).toBe(1);
      back.forEach((e, i) => {
        const defined = Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
        expect(defined).toStrictEqual({ ...mixed[i], seq: res.firstSeq! + i, receivedAt: 9 });
      });
    }
  });
});
