// Two daemons on one database with the Slack fake server: exactly one is active; the active one is
// killed with SIGKILL in the middle of a scenario with an error spike; the standby takes over within
// the lease time and finishes; every alert reached Slack exactly once, none twice across the takeover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario } from '../../src/scenario/generate.js';
import { loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/repository.js';
import { silentLogger } from '../../src/logging.js';
import { mongoUriOrSkip, uniqueDatabase } from '../support/mongo.js';
import { SlackTestServer } from '../support/slack-server.js';
import { spawnDaemon, type DaemonProcess } from './support/daemon-process.js';
import { postAll } from './support/intake-client.js';
import { metricValue, waitForPipeline } from './support/pipeline-progress.js';

const uri = mongoUriOrSkip();
const TOKEN = 'ha-e2e-token-0123456789';
const LEASE_MS = 3000;
const RENEW_MS = 800;
const CLOCK_SKEW_MS = 300;
/** Polling interval of the takeover measurement; the bound below allows one poll on top. */
const POLL_MS = 100;
const BATCH = 500;

interface AlertRow {
  _id: string;
  status: string;
  kind: string;
}

async function activeOf(d: DaemonProcess): Promise<boolean> {
  return (await metricValue(d.url, 'vigil_active')) === 1;
}

describe.skipIf(!uri)('HA pair: takeover after kill -9 without duplicate alerts', () => {
  // the spike falls inside the scenario; 80 accounts over 28 days is seconds of processing
  const scenario = generateScenario({ seed: 11, accounts: 80, days: 28, startMs: Date.UTC(2026, 9, 1) });
  const events = scenario.events;
  const database = uniqueDatabase('ha_e2e');
  const slack = new SlackTestServer();
  let a: DaemonProcess | null = null;
  let b: DaemonProcess | null = null;
  let store: Store;
  const seen = { bothActive: false, standbyBefore: false, takeoverMs: -1, killedAtEvents: 0, postsBeforeKill: 0 };

  const envOf = (id: string) => ({
    MONGODB_URI: uri!,
    VIGIL_STORE__DATABASE: database,
    VIGIL_API_TOKENS: `${TOKEN}:read+write`,
    VIGIL_SERVER__PORT: '0',
    VIGIL_HA__INSTANCE_ID: id,
    VIGIL_HA__LEASE_MS: String(LEASE_MS),
    VIGIL_HA__RENEW_MS: String(RENEW_MS),
    VIGIL_HA__CLOCK_SKEW_MS: String(CLOCK_SKEW_MS),
    SLACK_BOT_TOKEN: 'xoxb-ha-e2e-test',
    VIGIL_ALERTS__SLACK__API_URL: slack.url,
    VIGIL_ALERTS__DELIVERY__POLL_MS: '200',
    // a claim of the killed daemon is recovered (checked in Slack first) soon after the takeover
    VIGIL_ALERTS__DELIVERY__STALE_CLAIM_MS: '4000',
    VIGIL_PIPELINE__IDLE_ADVANCE_MS: '3600000',
  });

  beforeAll(async () => {
    await slack.start();
    a = await spawnDaemon(envOf('ha-a'));
    b = await spawnDaemon(envOf('ha-b'));
    store = await openStore(loadConfig({ env: { MONGODB_URI: uri!, VIGIL_STORE__DATABASE: database } }).store, silentLogger());
    // exactly one active, checked a few times over more than a lease period
    for (let i = 0; i < 5; i++) {
      const [ax, bx] = await Promise.all([activeOf(a), activeOf(b)]);
      if (ax && bx) seen.bothActive = true;
      if (ax !== bx) seen.standbyBefore = true;
      await new Promise((r) => setTimeout(r, LEASE_MS / 4));
    }
    const [first, standby] = (await activeOf(a)) ? [a, b] : [b, a];
    let active = first;
    for (const acc of scenario.accounts) {
      const { accountId, ...rest } = acc;
      await fetch(`${standby.url}/v1/accounts/${accountId}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(rest) });
    }
    // intake goes to the standby (every instance serves the API), so it carries on across the kill
    const spikeAt = scenario.truth.spike.endMs;
    const firstHalf = events.filter((e) => e.occurredAt <= spikeAt + 6 * 3_600_000);
    await postAll(firstHalf, { url: () => standby.url, token: TOKEN, batchSize: BATCH, retryMs: 200, maxWaitMs: 1000, batchDeadlineMs: 60_000 });
    // kill the active one once it has processed past the spike and posted to Slack
    await waitForPipeline(() => active.url, TOKEN, (f) => (f.processed ?? 0) >= firstHalf.length * 0.9, 120_000, 300).catch(() => undefined);
    await slack.waitFor('chat.postMessage', 1, 30_000).catch(() => undefined);
    seen.postsBeforeKill = slack.calls('chat.postMessage').length;
    seen.killedAtEvents = firstHalf.length;
    await active.crash();
    const killedAt = Date.now();
    const deadline = killedAt + LEASE_MS + RENEW_MS + 30_000;
    while (Date.now() < deadline) {
      if (await activeOf(standby)) {
        seen.takeoverMs = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (active === a) a = null;
    else b = null;
    active = standby;
    await postAll(events.slice(firstHalf.length), { url: () => active.url, token: TOKEN, batchSize: BATCH, retryMs: 200, maxWaitMs: 1000, batchDeadlineMs: 60_000 });
    await waitForPipeline(() => active.url, TOKEN, (f) => f.active && (f.processed ?? 0) + (f.held ?? 0) + (f.late ?? 0) >= events.length, 120_000, 500);
    // every alert that is due is delivered: nothing pending or in flight, bounded wait
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const open = await store.collection<AlertRow & { releaseAt: number | null }>('alerts').find({ status: { $in: ['pending', 'sending'] } });
      if (open.filter((x) => x.releaseAt === null).length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`ha e2e: ${events.length} events, killed the active daemon after ${seen.killedAtEvents}; takeover in ${seen.takeoverMs} ms; Slack posts ${slack.calls('chat.postMessage').length} (${seen.postsBeforeKill} before the kill)`);
  }, 300_000);

  afterAll(async () => {
    await a?.crash();
    await b?.crash();
    await store?.close();
    await slack.stop();
  });

  it('has exactly one active daemon', () => {
    expect(seen.bothActive).toBe(false);
    expect(seen.standbyBefore).toBe(true);
  });

  it('lets the standby take over within the lease time plus one renewal', () => {
    expect(seen.takeoverMs).toBeGreaterThanOrEqual(0);
    expect(seen.takeoverMs).toBeLessThanOrEqual(LEASE_MS + RENEW_MS + POLL_MS);
  });

  it('posted incident alerts for the spike', async () => {
    const alerts = await store.collection<AlertRow>('alerts').find({});
    expect(alerts.filter((x) => x.kind === 'incident.opened').length).toBeGreaterThanOrEqual(1);
    expect(slack.messages().some((m) => m.metadata?.event_payload.dedupe_key && String(m.metadata.event_payload.dedupe_key).includes(':opened:'))).toBe(true);
  });

  it('posted every sent alert to Slack exactly once, none twice across the takeover', async () => {
    const messages = slack.messages();
    const keys = messages.map((m) => String(m.metadata?.event_payload.dedupe_key ?? ''));
    expect(keys.filter((k) => k === '')).toEqual([]);
    const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(dupes).toEqual([]);
    const sent = (await store.collection<AlertRow>('alerts').find({ status: 'sent' })).map((x) => x._id).sort();
    expect(sent.length).toBeGreaterThan(0);
    expect([...keys].sort()).toEqual(sent);
  });
});
