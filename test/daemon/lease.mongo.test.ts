import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { currentReign, Lease, type LeaseDoc } from '../../src/daemon/lease.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import type { Store } from '../../src/store/repository.js';
import { mongoUriOrSkip, uniqueDatabase } from '../support/mongo.js';

const uri = mongoUriOrSkip();
const LEASE_MS = 1000;
const RENEW_MS = 200;
const SKEW_MS = 100;
/** Round trips to a real database add to the ideal takeover time; bound the wait generously. */
const IO_SLACK_MS = 1500;
const SAMPLE_MS = 5;

const silent = pino({ level: 'silent' });

describe.skipIf(!uri)('Lease on FerretDB (two daemons, two connections)', () => {
  const database = uniqueDatabase('lease');
  const stores: Store[] = [];

  /** One more daemon's connection to the shared database (its own MongoClient). */
  async function openStore(): Promise<Store> {
    const store = createMongoStore({ mongoUri: uri!, database, writeRetries: 1, retryBaseMs: 20 }, silent);
    // Indexes are created once, by the first: FerretDB 1.24.2 drops the connection when
    // createIndexes names several indexes that all exist already (reported to the store owner).
    if (stores.length === 0) await store.init();
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    await openStore();
  });

  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  function lease(store: Store, instanceId: string, name: string): Lease {
    return new Lease(store, { name, instanceId, leaseMs: LEASE_MS, renewMs: RENEW_MS, clockSkewMs: SKEW_MS, logger: silent });
  }

  /** Sample both daemons until `until` holds or `ms` pass; counts samples where both were active. */
  async function watch(leases: Lease[], ms: number, until: () => boolean): Promise<{ overlaps: number; reachedAt: number | null }> {
    let overlaps = 0;
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (leases.filter((l) => l.isActive()).length > 1) overlaps++;
      if (until()) return { overlaps, reachedAt: Date.now() };
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    return { overlaps, reachedAt: null };
  }

  it('of concurrent first acquisitions exactly one wins, and of concurrent takeovers of a lapsed lease too', async () => {
    const conns = [await openStore(), await openStore(), await openStore()];
    const ids = conns.flatMap((_, i) => [`c${i}a`, `c${i}b`]);
    const contenders = ids.map((id, i) => lease(conns[i >> 1]!, id, 'race'));
    const first = await Promise.all(contenders.map((l) => l.tryAcquire()));
    expect(first.filter(Boolean)).toHaveLength(1);
    expect((await currentReign(conns[0]!.collection<LeaseDoc>('kv'), 'race'))?.holder).toBe(ids[first.indexOf(true)]);
    // Let it lapse (nobody renews), then all race for it again.
    const kv = conns[0]!.collection<LeaseDoc>('kv');
    await kv.update('lease:race#000000000001', { expiresAt: Date.now() - 1 });
    const winner = contenders.findIndex((_, i) => first[i]);
    const others = contenders.filter((_, i) => i !== winner);
    const otherIds = ids.filter((_, i) => i !== winner);
    const second = await Promise.all(others.map((l) => l.tryAcquire()));
    expect(second.filter(Boolean)).toHaveLength(1);
    expect((await currentReign(kv, 'race'))?.holder).toBe(otherIds[second.indexOf(true)]);
    const doc = await currentReign(kv, 'race');
    expect(doc?.token).toBe(2);
    expect(others[second.indexOf(true)]!.fencingToken()).toBe(2);
  });

  it('elects one of two daemons; when it dies the other takes over after the lease lapses, never both active', async () => {
    const a = lease(await openStore(), 'a', 'worker');
    const b = lease(await openStore(), 'b', 'worker');
    a.start(() => {});
    b.start(() => {});
    const elected = await watch([a, b], 3 * LEASE_MS, () => a.isActive() || b.isActive());
    expect(elected.reachedAt).not.toBeNull();
    // A few renewals in: still exactly one, the same one.
    const settled = await watch([a, b], 3 * RENEW_MS, () => false);
    expect(settled.overlaps + elected.overlaps).toBe(0);
    const [active, standby] = a.isActive() ? [a, b] : [b, a];
    expect(standby.isActive()).toBe(false);

    await active.stop(false); // dies: no release
    const diedAt = Date.now();
    const kv = stores[0]!.collection<LeaseDoc>('kv');
    const lapsedAt = (await currentReign(kv, 'worker'))!.expiresAt;
    const takeover = await watch([a, b], LEASE_MS + RENEW_MS + IO_SLACK_MS, () => standby.isActive());
    expect(takeover.overlaps).toBe(0);
    expect(takeover.reachedAt).not.toBeNull();
    expect(takeover.reachedAt!).toBeGreaterThan(lapsedAt);
    expect(takeover.reachedAt! - diedAt).toBeLessThanOrEqual(LEASE_MS + RENEW_MS + IO_SLACK_MS);
    expect(standby.fencingToken()).toBe(active.fencingToken() + 1);
    await standby.stop(true);
    expect((await currentReign(kv, 'worker'))!).toMatchObject({ token: standby.fencingToken(), expiresAt: 0 });
  });
});
