// Finished alerts move to the archive: every alert stays readable exactly once (also after a crash
// between copy and removal), and the outbox and the sender decide and thread as if nothing moved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/repository.js';
import type { AlertDoc } from '../../src/alerts/alert-types.js';
import type { AlertsConfig } from '../../src/alerts/config.js';
import { AlertArchive } from '../../src/alerts/alert-archive.js';
import { Outbox } from '../../src/alerts/outbox.js';
import { AlertSender } from '../../src/alerts/sender.js';
import { SlackTestServer } from '../support/slack-server.js';
import { accountAlert, incidentAlert, testConfig, T0 } from './alert-fixtures.js';

const HOUR = 3600_000;
let store: Store;
let server: SlackTestServer;
let now: number;
const clock = () => now;

function cfg(): AlertsConfig {
  return testConfig({ slack: { token: 'xoxb-test-token' }, delivery: { channelIntervalMs: 0 }, archive: { afterMs: HOUR, intervalMs: 60_000 } });
}

const ids = (docs: AlertDoc[]) => docs.map((d) => d._id).sort();
const working = () => store.collection<AlertDoc>('alerts').find({});
const archived = () => store.collection<AlertDoc>('alertArchive').find({});

beforeEach(async () => {
  store = createMemoryStore();
  await store.init();
  server = new SlackTestServer();
  await server.start();
  now = T0;
});

afterEach(async () => {
  await server.stop();
  await store.close();
});

describe('AlertArchive', () => {
  it('moves finished alerts older than the cut, keeps open and recent ones, and reads every alert once, also after a crash mid-move', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    const sender = new AlertSender(store, c, { slackApiUrl: server.url, clock, instanceId: 'a' });
    const opened = incidentAlert('incident.opened', { createdAt: T0 });
    const account = accountAlert({ createdAt: T0 }, { band: 'at-risk' });
    const watch = accountAlert({ createdAt: T0 }, { accountId: 'acc-w', name: 'Watched', band: 'watch' });
    await outbox.enqueueMany([opened, account, watch]);
    await sender.runOnce();
    expect((await outbox.stats()).sent).toBe(2);
    now += 2 * HOUR;
    const late = accountAlert({ createdAt: T0 + 2 * HOUR }, { accountId: 'acc-late', name: 'Late' });
    await outbox.enqueue(late);
    const before = ids(await working());

    const archive = new AlertArchive(store);
    // a crash after the copy, before the removal: the alerts are in both collections
    const done = (await working()).filter((d) => d.status !== 'pending');
    await store.collection<AlertDoc>('alertArchive').insertNew(done);
    expect(ids(await archive.find({}))).toEqual(before);
    expect(ids((await outbox.list({ limit: 10 })))).toEqual(before);
    expect(await archive.getMany([opened.dedupeKey, 'missing', late.dedupeKey])).toHaveLength(2);
    // sorted and paged over both as one, each alert once
    const sort: Array<[string, 1 | -1]> = [['enqueuedAt', -1], ['_id', 1]];
    const everything = await archive.find({}, { sort });
    expect(everything.map((d) => d._id)).toEqual([late.dedupeKey, ...ids(done)]);
    expect(await archive.find({}, { sort, skip: 1, limit: 2 })).toEqual(everything.slice(1, 3));
    expect(await archive.count({ status: 'sent' })).toBe(4);

    // the next move finishes it: finished and older than the cut go, the new pending one stays
    expect(await archive.move(now - HOUR)).toBe(3);
    expect(ids(await working())).toEqual([late.dedupeKey]);
    expect(ids(await archived())).toEqual(ids(done));
    expect(ids(await archive.find({}))).toEqual(before);
    expect(await outbox.stats()).toMatchObject({ total: 4, sent: 2, suppressed: 1, pending: 1 });
    expect(await archive.move(now - HOUR)).toBe(0);
  });

  it('an outbox that starts after the move refuses archived keys and decides cooldowns and threads from archived alerts', async () => {
    const c = cfg();
    const first = new Outbox(store, c, { clock });
    const sender = new AlertSender(store, c, { slackApiUrl: server.url, clock, instanceId: 'a' });
    const opened = incidentAlert('incident.opened', { createdAt: T0 });
    const account = accountAlert({ createdAt: T0 }, { band: 'at-risk' });
    await first.enqueueMany([opened, account]);
    await sender.runOnce();
    now += 2 * HOUR;
    expect(await new AlertArchive(store).move(now - HOUR)).toBe(2);
    expect(await working()).toEqual([]);

    // a restarted daemon: its outbox reads both collections
    const again = new Outbox(store, c, { clock });
    expect(await again.enqueue(opened)).toBe(false);
    const repeat = accountAlert({ createdAt: T0 + HOUR }, { band: 'at-risk' });
    expect(await again.enqueue(repeat)).toBe(true);
    const grew = incidentAlert('incident.grew', { createdAt: T0 + HOUR });
    expect(await again.enqueue(grew)).toBe(true);
    const stored = new Map((await working()).map((d) => [d._id, d]));
    expect(stored.get(repeat.dedupeKey)).toMatchObject({ status: 'suppressed', reason: expect.stringContaining(account.dedupeKey) });
    expect(stored.get(grew.dedupeKey)).toMatchObject({ status: 'pending', threadRoot: opened.dedupeKey });

    // the follow-up goes into the archived root's thread
    await new AlertSender(store, c, { slackApiUrl: server.url, clock, instanceId: 'b' }).runOnce();
    const [root, , reply] = server.messages();
    expect(reply!.thread_ts).toBe(root!.ts);
  });

  it('the paced loop moves finished alerts once per interval; a flush does not', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    const sender = new AlertSender(store, c, { slackApiUrl: server.url, clock, instanceId: 'a' });
    await outbox.enqueue(accountAlert({ createdAt: T0 }, { band: 'at-risk' }));
    await sender.runOnce();
    now += 2 * HOUR;
    await sender.runOnce();
    expect(await archived()).toHaveLength(0);
    await sender.runOnce({ paced: true });
    expect(await archived()).toHaveLength(1);
    expect(await working()).toHaveLength(0);
  });
});
