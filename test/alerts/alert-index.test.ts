import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/repository.js';
import type { AlertDoc, AlertInput, Band } from '../../src/alerts/alert-types.js';
import type { AlertsConfig } from '../../src/alerts/config.js';
import { Outbox } from '../../src/alerts/outbox.js';
import { AlertIndex } from '../../src/alerts/alert-index.js';
import { mulberry32 } from '../../src/engines/mulberry32.js';
import { accountAlert, incidentAlert, testConfig, T0 } from './alert-fixtures.js';
import { ReferenceOutbox } from './reference-outbox.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

let store: Store;
let now: number;
const clock = () => now;

async function doc(s: Store, id: string): Promise<AlertDoc> {
  const d = await s.collection<AlertDoc>('alerts').get(id);
  if (!d) throw new Error(`no alert ${id}`);
  return d;
}

async function allAlerts(s: Store): Promise<AlertDoc[]> {
  return (await s.collection<AlertDoc>('alerts').find({})).sort((a, b) => a._id.localeCompare(b._id));
}

beforeEach(async () => {
  store = createMemoryStore();
  await store.init();
  now = T0;
});

/**
 * A random stream of incident and account alerts over several days, mostly in event time order
 * with some late ones, as the pipeline (and the daily jobs) hand them to the outbox.
 */
function randomStream(seed: number, n: number): AlertInput[] {
  const rand = mulberry32(seed);
  const out: AlertInput[] = [];
  const clusters = ['c-a', 'c-b', 'c-c'];
  const incident = new Map<string, { id: string; opened: number } | null>();
  let t = T0;
  let serial = 0;
  const bands: Band[] = ['watch', 'at-risk', 'critical'];
  for (let i = 0; i < n; i++) {
    // steps of up to 15 minutes, now and then a quiet stretch of up to a day
    t += Math.floor(rand() * 15 * MIN) + (rand() < 0.04 ? Math.floor(rand() * 24 * HOUR) : 0);
    // a late alert: event time up to 3 hours back (only the outbox's order is "now")
    const at = rand() < 0.1 ? t - Math.floor(rand() * 3 * HOUR) : t;
    serial++;
    if (rand() < 0.65) {
      const clusterId = clusters[Math.floor(rand() * clusters.length)]!;
      const open = incident.get(clusterId) ?? null;
      const severity = (['sev1', 'sev2', 'sev3'] as const)[Math.floor(rand() * 3)]!;
      if (!open) {
        const id = `inc-${serial}`;
        incident.set(clusterId, { id, opened: at });
        out.push(incidentAlert('incident.opened', { dedupeKey: `${id}:opened`, createdAt: at, severity, threadKey: `incident:${id}` }, { incidentId: id, clusterId }));
      } else if (rand() < 0.75) {
        out.push(incidentAlert('incident.grew', { dedupeKey: `${open.id}:grew:${serial}`, createdAt: at, severity, threadKey: `incident:${open.id}` }, { incidentId: open.id, clusterId, count: 100 + serial }));
      } else {
        incident.set(clusterId, null);
        out.push(incidentAlert('incident.resolved', { dedupeKey: `${open.id}:resolved`, createdAt: at, severity, threadKey: `incident:${open.id}` }, { incidentId: open.id, clusterId }));
      }
    } else {
      const accountId = `acc-${Math.floor(rand() * 4)}`;
      const band = bands[Math.floor(rand() * bands.length)]!;
      out.push(accountAlert({ dedupeKey: `account:${accountId}:${serial}`, createdAt: at, band }, { accountId, band }));
    }
    // a replay sends an alert again now and then
    if (rand() < 0.05 && out.length > 1) out.push({ ...out[Math.floor(rand() * (out.length - 1))]! });
  }
  return out;
}

/** What a sender does to an alert between two enqueues: claim, post, fail, put back (also after a rate limit). */
async function senderStep(stores: Store[], rand: () => number): Promise<void> {
  const live = (await stores[0]!.collection<AlertDoc>('alerts').find({ status: { $in: ['pending', 'sending'] } })).sort((a, b) => a._id.localeCompare(b._id));
  if (live.length === 0) return;
  const d = live[Math.floor(rand() * live.length)]!;
  const r = rand();
  let set: Record<string, unknown>;
  let inc: Record<string, number> | undefined;
  if (d.status === 'pending') {
    set = { status: 'sending', claimId: `alert-claim:${d._id}#${d.claims + 1}`, claimedBy: 'sender', claimedAt: now };
    inc = { attempts: 1, claims: 1 };
  } else if (r < 0.5) set = { status: 'sent', claimId: d.claimId, ts: `${now}.0001`, sentAt: now };
  else if (r < 0.7) set = { status: 'failed', claimId: null, error: 'channel_not_found' };
  else if (r < 0.85) {
    // rate limited: not an attempt, so a first try is pending with no attempts again
    set = { status: 'pending', claimId: null, claimedBy: null };
    inc = { attempts: -1 };
  } else set = { status: 'pending', claimId: null, claimedBy: null, nextAttemptAt: now + 2000 };
  for (const s of stores) await s.collection<AlertDoc>('alerts').update(d._id, set, { ...(inc ? { inc } : {}), where: { status: d.status } });
}

describe('Outbox decisions from its index', () => {
  const configs: Array<[string, AlertsConfig]> = [
    ['defaults', testConfig()],
    ['a small budget and short windows', testConfig({ cooldown: { maxMessagesPerGroup: 2, groupWindowMs: HOUR, reopenThreadMs: 3 * HOUR, accountRepeatMs: 6 * HOUR } })],
  ];
  for (const [name, cfg] of configs) {
    it(`stores the same documents as the outbox that queried the store for each decision (${name})`, async () => {
      const all: AlertDoc[] = [];
      for (const seed of [1, 2, 3, 4]) {
        const rand = mulberry32(seed * 7919);
        const indexed = createMemoryStore();
        const reference = createMemoryStore();
        await indexed.init();
        await reference.init();
        now = T0;
        // two outboxes on the indexed store, as two daemons of an HA pair that take turns
        const pair = [new Outbox(indexed, cfg, { clock }), new Outbox(indexed, cfg, { clock })];
        let active = 0;
        const ref = new ReferenceOutbox(reference, cfg, clock);
        const stream = randomStream(seed, 400);
        for (let i = 0; i < stream.length; ) {
          now += 1000 + Math.floor(rand() * 60_000);
          if (rand() < 0.03) active = 1 - active;
          // one alert, or a step's worth at once (the sender cannot act in between)
          const batch = stream.slice(i, (i += rand() < 0.5 ? 1 : 1 + Math.floor(rand() * 8)));
          const got = batch.length === 1 && rand() < 0.5 ? [await pair[active]!.enqueue(batch[0]!)] : await pair[active]!.enqueueMany(batch);
          const want: boolean[] = [];
          for (const alert of batch) want.push(await ref.enqueue(alert));
          expect(got, batch.map((a) => a.dedupeKey).join()).toEqual(want);
          // the sender claims and posts about as fast as alerts come
          for (let k = 0; k < 2 * batch.length; k++) if (rand() < 0.6) await senderStep([reference, indexed], rand);
        }
        const [got, want] = [await allAlerts(indexed), await allAlerts(reference)];
        expect(got).toEqual(want);
        all.push(...want);
      }
      // the streams exercised every decision
      const statuses = new Set(all.map((d) => d.status));
      for (const s of ['pending', 'sent', 'failed', 'suppressed', 'superseded'] as const) expect(statuses).toContain(s);
      expect(all.some((d) => d.reopen)).toBe(true);
      expect(all.some((d) => d.reason?.includes('budget'))).toBe(true);
      expect(all.some((d) => d.reason?.includes('budget') && d.releaseAt === null)).toBe(true);
      expect(all.some((d) => d.coalesced > 1)).toBe(true);
    });
  }

  it('reads the store again after another outbox enqueued (the other daemon was active meanwhile)', async () => {
    const cfg = testConfig();
    const a = new Outbox(store, cfg, { clock });
    const b = new Outbox(store, cfg, { clock });
    const opened = incidentAlert('incident.opened', { createdAt: T0 });
    await a.enqueue(opened);
    // b takes over: its first follow-up threads under a's root
    const g1 = incidentAlert('incident.grew', { createdAt: T0 + 5 * MIN });
    await b.enqueue(g1);
    expect((await doc(store, g1.dedupeKey)).threadRoot).toBe(opened.dedupeKey);
    // a is active again: the follow-up b stored is folded into a's newer one
    const g2 = incidentAlert('incident.grew', { createdAt: T0 + 10 * MIN });
    await a.enqueue(g2);
    expect(await doc(store, g1.dedupeKey)).toMatchObject({ status: 'superseded', supersededBy: g2.dedupeKey });
    expect(await doc(store, g2.dedupeKey)).toMatchObject({ status: 'pending', coalesced: 1, threadRoot: opened.dedupeKey });
  });

  it('does not count an alert the sender gave up on against the budget, nor in the account cooldown', async () => {
    const outbox = new Outbox(store, testConfig({ cooldown: { maxMessagesPerGroup: 2 } }), { clock });
    const alerts = store.collection<AlertDoc>('alerts');
    const opened = incidentAlert('incident.opened', { createdAt: T0 });
    const g1 = incidentAlert('incident.grew', { createdAt: T0 + 5 * MIN });
    await outbox.enqueue(opened);
    await outbox.enqueue(g1);
    await alerts.update(g1.dedupeKey, { status: 'failed' });
    const g2 = incidentAlert('incident.grew', { createdAt: T0 + 10 * MIN });
    await outbox.enqueue(g2);
    expect(await doc(store, g2.dedupeKey)).toMatchObject({ status: 'pending', releaseAt: null, reason: null });

    const first = accountAlert({ createdAt: T0 });
    await outbox.enqueue(first);
    await alerts.update(first.dedupeKey, { status: 'failed' });
    const repeat = accountAlert({ createdAt: T0 + HOUR });
    await outbox.enqueue(repeat);
    expect((await doc(store, repeat.dedupeKey)).status).toBe('pending');
  });

  it('asks the store about a late alert older than what the index keeps', async () => {
    const outbox = new Outbox(store, testConfig({ cooldown: { maxMessagesPerGroup: 2 } }), { clock });
    const alerts = store.collection<AlertDoc>('alerts');
    const a = incidentAlert('incident.opened', { createdAt: T0, threadKey: 'incident:inc-a' }, { incidentId: 'inc-a' });
    await outbox.enqueue(a);
    await alerts.update(a.dedupeKey, { status: 'sent' });
    // three days on, the group's windows have moved past `a`, which the index forgets
    const b = incidentAlert('incident.opened', { createdAt: T0 + 72 * HOUR, threadKey: 'incident:inc-b' }, { incidentId: 'inc-b' });
    await outbox.enqueue(b);
    await alerts.update(b.dedupeKey, { status: 'sent' });
    // a late follow-up of `a`: its window (no later bound) holds both messages, so the budget is used
    const late = incidentAlert('incident.grew', { createdAt: T0 + 30 * MIN, threadKey: 'incident:inc-a' }, { incidentId: 'inc-a' });
    await outbox.enqueue(late);
    expect(await doc(store, late.dedupeKey)).toMatchObject({ threadRoot: a.dedupeKey, releaseAt: T0 + HOUR, reason: expect.stringContaining('budget') });
  });
});

describe('AlertIndex', () => {
  const base = { threadKey: null, threadRoot: null, band: null, status: 'sent' as const, releaseAt: null, coalesced: 0 };

  it('forgets what no window reaches, but keeps follow-ups that may still be folded or released', () => {
    const index = new AlertIndex(HOUR);
    index.add({ ...base, _id: 'old-sent', kind: 'incident.opened', groupKey: 'g', createdAt: T0, enqueuedAt: T0 });
    index.add({ ...base, _id: 'old-pending', kind: 'incident.grew', groupKey: 'g', threadRoot: 'old-sent', status: 'pending', createdAt: T0 + 1, enqueuedAt: T0 + 1 });
    index.add({ ...base, _id: 'waiting', kind: 'account.alert', groupKey: 'g', status: 'pending', releaseAt: T0 + 3 * HOUR, createdAt: T0 + 2, enqueuedAt: T0 + 2 });
    index.add({ ...base, _id: 'new', kind: 'incident.grew', groupKey: 'g', createdAt: T0 + 2 * HOUR, enqueuedAt: T0 + 2 * HOUR });
    index.forgetOld('g');
    expect(index.select('g', () => true).map((e) => e.id)).toEqual(['old-pending', 'waiting', 'new']);
    expect(index.covers('g', T0 + HOUR)).toBe(true);
    expect(index.covers('g', T0 + HOUR - 1)).toBe(false);
    expect(index.covers('other', T0)).toBe(true);
    expect(index.releasable(T0 + 3 * HOUR).map((e) => e.id)).toEqual(['waiting']);
    expect(index.releasable(T0 + 3 * HOUR - 1)).toEqual([]);
  });

  it('roots a thread at its first alert that was not suppressed, by enqueue time', () => {
    const index = AlertIndex.build(
      [
        { ...base, _id: 'b', kind: 'incident.grew', groupKey: 'g', threadKey: 't', createdAt: T0 + 2, enqueuedAt: T0 + 2 } as AlertDoc,
        { ...base, _id: 'a', kind: 'incident.opened', groupKey: 'g', threadKey: 't', threadRoot: 'older', createdAt: T0 + 1, enqueuedAt: T0 + 1 } as AlertDoc,
        { ...base, _id: 's', kind: 'incident.opened', groupKey: 'g', threadKey: 't', status: 'suppressed', createdAt: T0, enqueuedAt: T0 } as AlertDoc,
      ],
      HOUR,
    );
    expect(index.threadRoot('t')).toBe('older');
    expect(index.threadRoot('none')).toBeNull();
  });
});
