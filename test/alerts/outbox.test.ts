import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/repository.js';
import type { AlertDoc, IncidentPayload } from '../../src/alerts/alert-types.js';
import { Outbox } from '../../src/alerts/outbox.js';
import { accountAlert, incidentAlert, testConfig, T0 } from './alert-fixtures.js';
import { watchAlerts } from './watch-alerts.js';

let store: Store;
let now: number;
const clock = () => now;
const HOUR = 3600_000;

async function doc(id: string): Promise<AlertDoc> {
  const d = await store.collection<AlertDoc>('alerts').get(id);
  if (!d) throw new Error(`no alert ${id}`);
  return d;
}

beforeEach(async () => {
  store = createMemoryStore();
  await store.init();
  now = T0;
});

describe('Outbox.enqueue', () => {
  it('stores the alert under its dedupe key, routed, and refuses the same key twice', async () => {
    const outbox = new Outbox(store, testConfig(), { clock });
    const a = incidentAlert('incident.opened');
    expect(await outbox.enqueue(a)).toBe(true);
    expect(await outbox.enqueue({ ...a, createdAt: T0 + 1 })).toBe(false);
    expect(await doc(a.dedupeKey)).toMatchObject({ _id: a.dedupeKey, status: 'pending', channel: '#vigil-incidents', groupKey: 'cluster:c-7f3a', threadRoot: null, attempts: 0, nextAttemptAt: T0 });
    expect((await outbox.stats()).total).toBe(1);
  });

  it('redacts samples and the template again before storing', async () => {
    const outbox = new Outbox(store, testConfig(), { clock });
    const a = incidentAlert('incident.opened', {}, { template: 'login failed for ops@acme.com from 203.0.113.9', samples: ['card 4111111111111111 declined', 'Bearer abcDEF123456ghiJKL789 rejected'] });
    await outbox.enqueue(a);
    const p = (await doc(a.dedupeKey)).payload as IncidentPayload;
    expect(p.template).toBe('login failed for [email] from [ip]');
    expect(p.samples).toEqual(['card [card] declined', 'Bearer [token] rejected']);
  });

  it('keeps alerts below the thresholds as suppressed, visible with the reason', async () => {
    const registry = new Registry();
    const outbox = new Outbox(store, testConfig({ routing: { minIncidentSeverity: 'sev1' } }), { clock, registry });
    const a = incidentAlert('incident.opened', { severity: 'sev3' });
    expect(await outbox.enqueue(a)).toBe(true);
    expect(await doc(a.dedupeKey)).toMatchObject({ status: 'suppressed', reason: expect.stringContaining('threshold') });
    expect(((await registry.getSingleMetric('alerts_suppressed_total')!.get()).values[0]!.value)).toBe(1);
  });

  it('suppresses a repeat account alert of the same or a milder band within the cooldown, not a worse one', async () => {
    const outbox = new Outbox(store, testConfig(), { clock });
    const first = accountAlert({ createdAt: T0 });
    const repeat = accountAlert({ createdAt: T0 + 3 * HOUR });
    const worse = accountAlert({ createdAt: T0 + 4 * HOUR, band: 'critical' }, { band: 'critical' });
    const later = accountAlert({ createdAt: T0 + 30 * HOUR });
    for (const a of [first, repeat, worse, later]) await outbox.enqueue(a);
    expect((await doc(first.dedupeKey)).status).toBe('pending');
    expect((await doc(repeat.dedupeKey)).status).toBe('suppressed');
    expect((await doc(worse.dedupeKey)).status).toBe('pending');
    expect((await doc(later.dedupeKey)).status).toBe('pending');
  });

  it('threads follow-ups under the first alert of the thread key', async () => {
    const outbox = new Outbox(store, testConfig(), { clock });
    const opened = incidentAlert('incident.opened', { createdAt: T0 });
    const grew = incidentAlert('incident.grew', { createdAt: T0 + 60_000 });
    await outbox.enqueue(opened);
    await outbox.enqueue(grew);
    expect((await doc(grew.dedupeKey)).threadRoot).toBe(opened.dedupeKey);
  });

  it('puts a new incident of the same error cluster into the recent thread as a re-open', async () => {
    const outbox = new Outbox(store, testConfig(), { clock });
    const a = incidentAlert('incident.opened', { createdAt: T0, threadKey: 'incident:inc-a' }, { incidentId: 'inc-a' });
    const b = incidentAlert('incident.opened', { createdAt: T0 + 2 * HOUR, threadKey: 'incident:inc-b' }, { incidentId: 'inc-b' });
    const bGrew = incidentAlert('incident.grew', { createdAt: T0 + 2 * HOUR + 60_000, threadKey: 'incident:inc-b' }, { incidentId: 'inc-b' });
    const c = incidentAlert('incident.opened', { createdAt: T0 + 20 * HOUR, threadKey: 'incident:inc-c' }, { incidentId: 'inc-c' });
    const other = incidentAlert('incident.opened', { createdAt: T0 + HOUR, threadKey: 'incident:inc-d' }, { incidentId: 'inc-d', clusterId: 'c-other' });
    for (const x of [a, b, bGrew, c, other]) await outbox.enqueue(x);
    expect(await doc(b.dedupeKey)).toMatchObject({ threadRoot: a.dedupeKey, reopen: true });
    // follow-ups of the re-opened incident join the same thread
    expect((await doc(bGrew.dedupeKey)).threadRoot).toBe(a.dedupeKey);
    // long after: a new thread; another cluster: its own thread
    expect(await doc(c.dedupeKey)).toMatchObject({ threadRoot: null, reopen: false });
    expect((await doc(other.dedupeKey)).threadRoot).toBeNull();
  });

  it('replaces older unsent follow-ups of an incident with the newest one', async () => {
    const outbox = new Outbox(store, testConfig(), { clock });
    await outbox.enqueue(incidentAlert('incident.opened', { createdAt: T0 }));
    const g1 = incidentAlert('incident.grew', { createdAt: T0 + 60_000 }, { count: 400 });
    const g2 = incidentAlert('incident.grew', { createdAt: T0 + 120_000 }, { count: 500 });
    const g3 = incidentAlert('incident.grew', { createdAt: T0 + 180_000 }, { count: 600 });
    for (const g of [g1, g2, g3]) await outbox.enqueue(g);
    expect(await doc(g1.dedupeKey)).toMatchObject({ status: 'superseded', supersededBy: g2.dedupeKey });
    expect(await doc(g2.dedupeKey)).toMatchObject({ status: 'superseded', supersededBy: g3.dedupeKey });
    expect(await doc(g3.dedupeKey)).toMatchObject({ status: 'pending', coalesced: 2 });
  });

  it('defers follow-ups once the group used its message budget', async () => {
    const outbox = new Outbox(store, testConfig({ cooldown: { maxMessagesPerGroup: 2, groupWindowMs: HOUR } }), { clock });
    const alerts = store.collection<AlertDoc>('alerts');
    const opened = incidentAlert('incident.opened', { createdAt: T0 });
    await outbox.enqueue(opened);
    await alerts.update(opened.dedupeKey, { status: 'sent' });
    const g1 = incidentAlert('incident.grew', { createdAt: T0 + 10 * 60_000 });
    await outbox.enqueue(g1);
    await alerts.update(g1.dedupeKey, { status: 'sent' });
    const g2 = incidentAlert('incident.grew', { createdAt: T0 + 20 * 60_000 });
    await outbox.enqueue(g2);
    // a slot frees when the opened message leaves the window: 40 minutes on
    expect(await doc(g2.dedupeKey)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 40 * 60_000, reason: expect.stringContaining('budget') });
  });
});

/** The store as an outbox sees it, recording which alerts it reads by id. */
function readsById(inner: Store): { counted: Store; reads: string[] } {
  const reads: string[] = [];
  const counted = watchAlerts(inner, (method, args) => {
    if (method === 'getMany') reads.push(...(args[0] as string[]));
    if (method === 'get') reads.push(args[0] as string);
  });
  return { counted, reads };
}

describe('Outbox reads', () => {
  it('decides an account alert worse than every recent one of the account without reading them; a repeat is checked', async () => {
    const { counted, reads } = readsById(store);
    const outbox = new Outbox(counted, testConfig(), { clock });
    const atRisk = accountAlert({ createdAt: T0 }, { band: 'at-risk' });
    await outbox.enqueue(atRisk);
    reads.length = 0;
    const critical = accountAlert({ createdAt: T0 + HOUR }, { band: 'critical', previousBand: 'at-risk' });
    expect(await outbox.enqueue(critical)).toBe(true);
    expect(reads).toEqual([]);
    expect((await doc(critical.dedupeKey)).status).toBe('pending');
    // the same band again: whether the earlier one still counts is read from the store
    const repeat = accountAlert({ createdAt: T0 + 2 * HOUR }, { band: 'critical', previousBand: 'critical' });
    await outbox.enqueue(repeat);
    expect(reads).toEqual([critical.dedupeKey]);
    expect((await doc(repeat.dedupeKey)).status).toBe('suppressed');
  });

  it('reads each stored alert a batch of decisions looks at once, and decides as one decision at a time would', async () => {
    const c = testConfig({ cooldown: { maxMessagesPerGroup: 3, groupWindowMs: HOUR } });
    const { counted, reads } = readsById(store);
    const outbox = new Outbox(counted, c, { clock });
    const alerts = store.collection<AlertDoc>('alerts');
    const opened = incidentAlert('incident.opened', { createdAt: T0 });
    await outbox.enqueue(opened);
    await alerts.update(opened.dedupeKey, { status: 'sent' });
    const first = [1, 2].map((i) => incidentAlert('incident.grew', { createdAt: T0 + i * 60_000 }, { count: 100 * i }));
    await outbox.enqueueMany(first);
    await alerts.update(first[1]!.dedupeKey, { status: 'sent' });
    reads.length = 0;
    // a step with several updates of the same incident: every decision looks at the same group
    const batch = [3, 4, 5, 6].map((i) => incidentAlert('incident.grew', { createdAt: T0 + i * 60_000 }, { count: 100 * i }));
    await outbox.enqueueMany(batch);
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads).size).toBe(reads.length);

    // the same alerts enqueued one decision per batch end the same way
    const again = createMemoryStore();
    await again.init();
    const single = new Outbox(again, c, { clock });
    await single.enqueue(opened);
    await again.collection<AlertDoc>('alerts').update(opened.dedupeKey, { status: 'sent' });
    for (const a of first) await single.enqueue(a);
    await again.collection<AlertDoc>('alerts').update(first[1]!.dedupeKey, { status: 'sent' });
    for (const a of batch) await single.enqueue(a);
    const all = async (s: Store) => (await s.collection<AlertDoc>('alerts').find({})).map(({ enqueuedAt: _e, nextAttemptAt: _n, ...rest }) => rest).sort((a, b) => a._id.localeCompare(b._id));
    expect(await all(store)).toEqual(await all(again));
  });
});

describe('Outbox.list and stats', () => {
  it('filters by status and kind, newest first, and counts every status', async () => {
    const outbox = new Outbox(store, testConfig(), { clock });
    await outbox.enqueue(incidentAlert('incident.opened'));
    now += 1000;
    await outbox.enqueue(accountAlert());
    now += 1000;
    await outbox.enqueue(accountAlert({ dedupeKey: 'watch-1', band: 'watch' }, { band: 'watch' }));
    expect((await outbox.list()).map((d) => d.kind)).toEqual(['account.alert', 'account.alert', 'incident.opened']);
    expect(await outbox.list({ kind: 'incident.opened' })).toHaveLength(1);
    expect((await outbox.list({ status: ['pending'] })).map((d) => d.kind)).toEqual(['account.alert', 'incident.opened']);
    expect(await outbox.list({ since: T0 + 500, limit: 1 })).toHaveLength(1);
    const s = await outbox.stats();
    expect(s).toMatchObject({ total: 3, pending: 2, suppressed: 1, sent: 0, failed: 0 });
  });
});
