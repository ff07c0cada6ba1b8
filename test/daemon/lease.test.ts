import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { currentReign, Lease, LeaseConfigError, type LeaseDoc } from '../../src/daemon/lease.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import { mongoUriOrSkip, uniqueDatabase } from '../support/mongo.js';
import { StoreUnavailableError, type Store } from '../../src/store/repository.js';

const LEASE_MS = 1000;
const RENEW_MS = 200;
const SKEW_MS = 100;
/** Granularity of the "is there ever a moment with two active?" check, in fake milliseconds. */
const STEP_MS = 5;

/** A view of one store whose kv calls fail while `cut` is set: a daemon cut off from the database. */
function partitionable(store: Store): { store: Store; cut: boolean } {
  const handle = { cut: false, store: undefined as unknown as Store };
  handle.store = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'collection') return Reflect.get(target, prop, receiver);
      return (name: Parameters<Store['collection']>[0]) => {
        const coll = target.collection(name);
        return new Proxy(coll, {
          get(c, p, r) {
            const v = Reflect.get(c, p, r);
            if (typeof v !== 'function') return v;
            return (...args: unknown[]) => {
              if (handle.cut) return Promise.reject(new StoreUnavailableError('partitioned'));
              return (v as (...a: unknown[]) => unknown).apply(c, args);
            };
          },
        });
      };
    },
  });
  return handle;
}

/** A view of one store whose writes land (and answer) `delayMs` late while set: a stalled network. */
function slowWrites(store: Store): { store: Store; delayMs: number } {
  const handle = { delayMs: 0, store: undefined as unknown as Store };
  handle.store = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'collection') return Reflect.get(target, prop, receiver);
      return (name: Parameters<Store['collection']>[0]) => {
        const coll = target.collection(name);
        return new Proxy(coll, {
          get(c, p, r) {
            const v = Reflect.get(c, p, r);
            if (typeof v !== 'function' || (p !== 'update' && p !== 'insertNew')) return v;
            return async (...args: unknown[]) => {
              if (handle.delayMs > 0) await new Promise((res) => setTimeout(res, handle.delayMs));
              return (v as (...a: unknown[]) => unknown).apply(c, args);
            };
          },
        });
      };
    },
  });
  return handle;
}

interface Daemon {
  lease: Lease;
  /** Active as told through onChange, with the fake time of each change. */
  announced: boolean;
  changes: Array<{ at: number; active: boolean }>;
}

function daemon(store: Store, instanceId: string, opts: { clock?: () => number; clockSkewMs?: number } = {}): Daemon {
  const lease = new Lease(store, { name: 'worker', instanceId, leaseMs: LEASE_MS, renewMs: RENEW_MS, clockSkewMs: opts.clockSkewMs ?? SKEW_MS, clock: opts.clock });
  const d: Daemon = { lease, announced: false, changes: [] };
  lease.start((active) => {
    d.announced = active;
    d.changes.push({ at: Date.now(), active });
  });
  return d;
}

/**
 * Advance fake time in small steps for `ms`, checking at every step that the daemons never both
 * claim the lease, by isActive() or by what they announced. Returns the first time `until` held.
 */
async function run(daemons: Daemon[], ms: number, until?: () => boolean): Promise<{ overlaps: number; reachedAt: number | null }> {
  let overlaps = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await vi.advanceTimersByTimeAsync(STEP_MS);
    if (daemons.filter((d) => d.lease.isActive()).length > 1) overlaps++;
    if (daemons.filter((d) => d.announced).length > 1) overlaps++;
    if (until?.()) return { overlaps, reachedAt: Date.now() };
  }
  return { overlaps, reachedAt: null };
}

describe('Lease (embedded store, shared fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('elects exactly one of two daemons and keeps it while it renews', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const store = createMemoryStore();
    const a = daemon(store, 'a');
    const b = daemon(store, 'b');
    const r = await run([a, b], 5 * LEASE_MS);
    expect(r.overlaps).toBe(0);
    const active = [a, b].filter((d) => d.lease.isActive());
    expect(active).toHaveLength(1);
    // The same one all along: renewals kept it, nobody flapped.
    expect(active[0]!.changes).toHaveLength(1);
    expect(active[0]!.lease.fencingToken()).toBe(1);
    const doc = await currentReign(store.collection<LeaseDoc>('kv'), 'worker');
    expect(doc?.token).toBe(1);
    expect(doc?.holder).toBe(active[0] === a ? 'a' : 'b');
    expect(doc!.expiresAt).toBeGreaterThan(Date.now());
    await a.lease.stop();
    await b.lease.stop();
  });

  it('the standby takes over within leaseMs + renewMs after the active one dies, never overlapping', async () => {
    vi.useFakeTimers({ now: 2_000_000 });
    const store = createMemoryStore();
    const a = daemon(store, 'a');
    await vi.advanceTimersByTimeAsync(STEP_MS);
    const b = daemon(store, 'b');
    await run([a, b], 3 * RENEW_MS);
    expect(a.lease.isActive()).toBe(true);
    expect(b.lease.isActive()).toBe(false);
    // Death: no more renewals, no release (stop(false) is what a killed process amounts to).
    const lastDoc = await currentReign(store.collection<LeaseDoc>('kv'), 'worker');
    await a.lease.stop(false);
    a.announced = false;
    const r = await run([a, b], 3 * LEASE_MS, () => b.lease.isActive());
    expect(r.overlaps).toBe(0);
    expect(r.reachedAt).not.toBeNull();
    // Takeover no sooner than the lease lapsed, no later than one renew interval after.
    expect(r.reachedAt!).toBeGreaterThan(lastDoc!.expiresAt);
    expect(r.reachedAt! - lastDoc!.expiresAt).toBeLessThanOrEqual(RENEW_MS + STEP_MS);
    expect(b.lease.fencingToken()).toBe(2);
    await b.lease.stop();
  });

  /**
   * a holds the lease, then loses the database; b (clock ahead by just under SKEW_MS) tries at a
   * phase where it sees a's lease lapse about as early as its fast clock allows.
   */
  async function partitionScenario(now: number, clockSkewMs: number) {
    vi.useFakeTimers({ now });
    const store = createMemoryStore();
    const pa = partitionable(store);
    const a = daemon(pa.store, 'a', { clockSkewMs });
    await vi.advanceTimersByTimeAsync((3 * RENEW_MS) / 4);
    const b = daemon(store, 'b', { clock: () => Date.now() + SKEW_MS - 10, clockSkewMs });
    await run([a, b], 2 * RENEW_MS);
    expect(a.lease.isActive()).toBe(true);
    pa.cut = true;
    const r = await run([a, b], 3 * LEASE_MS, () => b.lease.isActive() && !a.lease.isActive());
    return { a, b, pa, r };
  }

  it('a daemon cut off from the database steps down before the other can take over (clock skew within the margin)', async () => {
    const { a, b, pa, r } = await partitionScenario(3_000_000, SKEW_MS);
    expect(r.overlaps).toBe(0);
    expect(r.reachedAt).not.toBeNull();
    const aDown = a.changes.find((c) => !c.active);
    const bUp = b.changes.find((c) => c.active);
    expect(aDown).toBeDefined();
    expect(aDown!.at).toBeLessThan(bUp!.at);
    // When the partition heals, a learns it lost the lease and stays standby.
    pa.cut = false;
    const healed = await run([a, b], 3 * LEASE_MS);
    expect(healed.overlaps).toBe(0);
    expect(a.lease.isActive()).toBe(false);
    expect(b.lease.isActive()).toBe(true);
    await a.lease.stop();
    await b.lease.stop();
  });

  it('the overlap check does catch two active daemons in the same scenario without the skew margin', async () => {
    const { a, b, r } = await partitionScenario(4_000_000, 0);
    expect(r.overlaps).toBeGreaterThan(0);
    await a.lease.stop();
    await b.lease.stop();
  });

  it('a renewal that lands after the holder stepped down does not make it active again, and nobody overlaps', async () => {
    vi.useFakeTimers({ now: 4_500_000 });
    const store = createMemoryStore();
    const sa = slowWrites(store);
    const a = daemon(sa.store, 'a');
    // b tries just after a's lease lapses on the clock; a's delayed renewal lands just after that.
    await vi.advanceTimersByTimeAsync(RENEW_MS / 8);
    const b = daemon(store, 'b');
    await run([a, b], 2 * RENEW_MS);
    expect(a.lease.isActive()).toBe(true);
    sa.delayMs = LEASE_MS - SKEW_MS - RENEW_MS / 4;
    const r = await run([a, b], 2 * LEASE_MS, () => !a.lease.isActive());
    expect(r.reachedAt).not.toBeNull();
    sa.delayMs = 0;
    const after = await run([a, b], 4 * LEASE_MS);
    expect(r.overlaps + after.overlaps).toBe(0);
    // One of them holds the lease again, in a newer reign than a's first.
    const holders = [a, b].filter((d) => d.lease.isActive());
    expect(holders).toHaveLength(1);
    expect(holders[0]!.lease.fencingToken()).toBeGreaterThan(1);
    // a announced its step-down, and never announced active again while its old reign was renewed late.
    expect(a.changes.map((c) => c.active).slice(0, 2)).toEqual([true, false]);
    await a.lease.stop();
    await b.lease.stop();
  });

  it('stop(true) releases the lease so the standby takes over at its next attempt', async () => {
    vi.useFakeTimers({ now: 5_000_000 });
    const store = createMemoryStore();
    const a = daemon(store, 'a');
    await vi.advanceTimersByTimeAsync(STEP_MS);
    const b = daemon(store, 'b');
    await run([a, b], RENEW_MS);
    expect(a.lease.isActive()).toBe(true);
    await a.lease.stop(true);
    expect(a.changes.at(-1)).toMatchObject({ active: false });
    a.announced = false;
    const r = await run([a, b], LEASE_MS, () => b.lease.isActive());
    expect(r.overlaps).toBe(0);
    expect(b.changes.at(-1)!.at - a.changes.at(-1)!.at).toBeLessThanOrEqual(RENEW_MS + STEP_MS);
    await b.lease.stop();
  });

  it('a holder whose lease was taken meanwhile fails its renewal and steps down', async () => {
    vi.useFakeTimers({ now: 6_000_000 });
    const store = createMemoryStore();
    const lease = new Lease(store, { name: 'worker', instanceId: 'a', leaseMs: LEASE_MS, renewMs: RENEW_MS, clockSkewMs: SKEW_MS });
    expect(await lease.tryAcquire()).toBe(true);
    // Someone else holds a newer reign (as if clocks disagreed beyond the margin).
    await store.collection<LeaseDoc>('kv').put({ _id: 'lease:worker#000000000002', holder: 'b', expiresAt: Date.now() + LEASE_MS, token: 2 });
    expect(await lease.tryAcquire()).toBe(false);
    expect(lease.isActive()).toBe(false);
    // And it does not take the lease back while b's lease holds.
    expect(await lease.tryAcquire()).toBe(false);
  });

  it('rejects settings where no renewal fits before the holder steps down', () => {
    const store = createMemoryStore();
    expect(() => new Lease(store, { name: 'w', instanceId: 'a', leaseMs: 1000, renewMs: 950, clockSkewMs: 100 })).toThrowError(LeaseConfigError);
    expect(() => new Lease(store, { name: 'w', instanceId: '', leaseMs: 1000, renewMs: 200 })).toThrowError(/instanceId/);
  });
});

const uri = mongoUriOrSkip();
/** Round trips to a real database add to the ideal takeover time; bound the wait generously. */
const IO_SLACK_MS = 1500;
/** How often the real-time test samples isActive() of both daemons. */
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
