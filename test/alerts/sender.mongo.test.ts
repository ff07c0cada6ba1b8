import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import type { Store } from '../../src/store/repository.js';
import type { AlertDoc } from '../../src/alerts/alert-types.js';
import { Outbox } from '../../src/alerts/outbox.js';
import { AlertSender } from '../../src/alerts/sender.js';
import { mongoUriOrSkip, uniqueDatabase } from '../support/mongo.js';
import { SlackTestServer } from '../support/slack-server.js';
import { accountAlert, incidentAlert, testConfig, T0 } from './alert-fixtures.js';

const uri = mongoUriOrSkip();
const silent = pino({ level: 'silent' });
const cfg = testConfig({ slack: { token: 'xoxb-test-token' } });

describe.skipIf(!uri)('AlertSender on FerretDB (daemons with their own connections)', () => {
  const database = uniqueDatabase('alerts');
  const stores: Store[] = [];
  let server: SlackTestServer;
  let now = Date.now();
  const clock = () => now;

  async function openStore(): Promise<Store> {
    const store = createMongoStore({ mongoUri: uri!, database, writeRetries: 1, retryBaseMs: 20 }, silent);
    // indexes once, by the first connection (see the lease test for why)
    if (stores.length === 0) await store.init();
    stores.push(store);
    return store;
  }

  function sender(store: Store, instanceId: string): AlertSender {
    return new AlertSender(store, cfg, { slackApiUrl: server.url, clock, random: () => 0.5, instanceId, logger: silent });
  }

  beforeAll(async () => {
    await openStore();
  });

  beforeEach(async () => {
    server = new SlackTestServer();
    await server.start();
    await stores[0]!.collection<AlertDoc>('alerts').deleteMany({});
    now = Date.now();
    return () => server.stop();
  });

  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => {});
  });

  it('a daemon killed while its post is in flight: the next daemon records the post instead of posting again', async () => {
    const storeA = await openStore();
    const storeB = await openStore();
    const outbox = new Outbox(storeB, cfg, { clock });
    const root = incidentAlert('incident.opened', { createdAt: T0 });
    await outbox.enqueue(root);
    await sender(storeB, 'daemon-b').runOnce();
    const grew = incidentAlert('incident.grew', { createdAt: T0 + 60_000 }, { count: 640 });
    await outbox.enqueue(grew);

    let release!: () => void;
    server.script('chat.postMessage', { kind: 'process-then-hold', release: new Promise<void>((r) => (release = r)) });
    const inFlight = sender(storeA, 'daemon-a').runOnce().catch(() => 'died');
    await server.waitFor('chat.postMessage', 2);
    // daemon A dies: its connection goes away before Slack's answer arrives
    await storeA.close();
    release();
    await inFlight;
    const stuck = await storeB.collection<AlertDoc>('alerts').get(grew.dedupeKey);
    expect(stuck).toMatchObject({ status: 'sending', claimedBy: 'daemon-a' });

    const b = sender(storeB, 'daemon-b');
    now += cfg.delivery.staleClaimMs + 1;
    await b.runOnce();
    now += 3600_000;
    await b.runOnce();
    expect(server.calls('chat.postMessage')).toHaveLength(2);
    const replies = server.messages().filter((m) => m.thread_ts);
    expect(replies).toHaveLength(1);
    expect(await storeB.collection<AlertDoc>('alerts').get(grew.dedupeKey)).toMatchObject({ status: 'sent', ts: replies[0]!.ts });
  });

  it('two daemons on two connections claim each alert once', async () => {
    const s1 = await openStore();
    const s2 = await openStore();
    const outbox = new Outbox(s1, cfg, { clock });
    for (let i = 0; i < 10; i++) await outbox.enqueue(accountAlert({ createdAt: T0 + i }, { accountId: `acc-${i}`, name: `Account ${i}` }));
    const [r1, r2] = await Promise.all([sender(s1, 'one').runOnce(), sender(s2, 'two').runOnce()]);
    expect(r1.sent + r2.sent).toBe(10);
    const keys = server.calls('chat.postMessage').map((r) => (r.params.metadata as { event_payload: { dedupe_key: string } }).event_payload.dedupe_key);
    expect(new Set(keys).size).toBe(10);
    expect(keys).toHaveLength(10);
    expect((await new Outbox(s2, cfg).stats()).sent).toBe(10);
  });
});
