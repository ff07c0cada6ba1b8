import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/repository.js';
import type { AlertDoc } from '../../src/alerts/alert-types.js';
import type { AlertsConfig } from '../../src/alerts/config.js';
import { Outbox } from '../../src/alerts/outbox.js';
import { AlertSender } from '../../src/alerts/sender.js';
import { SlackTestServer } from '../support/slack-server.js';
import { accountAlert, digestPayload, incidentAlert, testConfig, T0 } from './alert-fixtures.js';
import { watchAlerts } from './watch-alerts.js';

let server: SlackTestServer;
let store: Store;
let now: number;
const clock = () => now;
// jitter factor fixed at the middle: delays are exactly base * (1 - jitter/2)
const random = () => 0.5;

function cfg(over: Parameters<typeof testConfig>[0] = {}): AlertsConfig {
  return testConfig({ ...over, slack: { token: 'xoxb-test-token', ...(over.slack ?? {}) } });
}

function sender(c: AlertsConfig, extra: Partial<ConstructorParameters<typeof AlertSender>[2]> = {}): AlertSender {
  return new AlertSender(store, c, { slackApiUrl: server.url, clock, random, instanceId: 'test-a', ...extra });
}

async function doc(id: string): Promise<AlertDoc> {
  const d = await store.collection<AlertDoc>('alerts').get(id);
  if (!d) throw new Error(`no alert ${id}`);
  return d;
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return (m?.values ?? []).reduce((s, v) => s + v.value, 0);
}

/** A store whose every call fails after kill(): a daemon that died. */
function mortal(inner: Store): { store: Store; kill: () => void } {
  let dead = false;
  const guard = <T extends object>(obj: T): T =>
    new Proxy(obj, {
      get(target, prop, recv) {
        const v = Reflect.get(target, prop, recv);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          if (dead) return Promise.reject(new Error('process is gone'));
          const out = v.apply(target, args);
          return prop === 'collection' ? guard(out) : out;
        };
      },
    });
  return { store: guard(inner), kill: () => (dead = true) };
}

beforeEach(async () => {
  server = new SlackTestServer();
  await server.start();
  store = createMemoryStore();
  await store.init();
  now = Date.now();
});

afterEach(async () => {
  await server.stop();
  await store.close();
});

describe('AlertSender with a Slack Web API server', () => {
  it('posts an incident as Block Kit with a fallback, tagged with its dedupe key, and records the ts', async () => {
    const c = cfg();
    const registry = new Registry();
    const outbox = new Outbox(store, c, { clock, registry });
    const alert = incidentAlert('incident.opened', { createdAt: now });
    expect(await outbox.enqueue(alert)).toBe(true);
    // stored before anything is sent
    expect((await doc(alert.dedupeKey)).status).toBe('pending');
    expect(server.requests).toHaveLength(0);

    const res = await sender(c, { registry }).runOnce();
    expect(res).toEqual({ sent: 1, failed: 0, held: 0 });
    const [call] = server.calls('chat.postMessage');
    expect(call!.token).toBe('xoxb-test-token');
    const p = call!.params as { channel: string; text: string; blocks: Array<Record<string, unknown>>; metadata: unknown };
    expect(p.channel).toBe('#vigil-incidents');
    expect(p.metadata).toEqual({ event_type: 'vigil_alert', event_payload: { dedupe_key: alert.dedupeKey } });
    expect(p.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: expect.stringContaining('Error spike across 14 accounts') } });
    const all = JSON.stringify(p.blocks);
    expect(all).toContain('PaymentGatewayError: charge failed for invoice &lt;NUM&gt;');
    expect(all).toContain('312 events vs baseline 12 (26×)');
    expect(all).toContain('Acme Corp (enterprise) — 120');
    expect(all).toContain('Globex (growth) — 61');
    expect(all).toContain('and 11 more');
    expect(all).toContain('<!date^');
    expect(all).toContain('http://127.0.0.1:8080/#/incidents/inc-1');
    // samples are redacted again before sending
    expect(all).not.toContain('jane.doe@acme.com');
    expect(all).not.toContain('4111 1111 1111 1111');
    expect(all).not.toContain('555 0132');
    expect(all).toContain('[email]');
    expect(p.text).toContain('Error spike across 14 accounts');
    expect(p.text).toContain('Acme Corp (enterprise): 120');
    // the fallback is escaped: a template's <NUM> must not become a Slack link
    expect(p.text).toContain('invoice &lt;NUM&gt;');

    const stored = await doc(alert.dedupeKey);
    const msg = server.messages()[0]!;
    expect(stored).toMatchObject({ status: 'sent', ts: msg.ts, postedChannel: msg.channel, transport: 'slack', attempts: 1 });
    expect(await metricValue(registry, 'alerts_sent_total')).toBe(1);
    expect(await metricValue(registry, 'alerts_pending')).toBe(0);
  });

  it('threads growth and resolution under the first message of the incident', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c);
    await outbox.enqueue(incidentAlert('incident.opened', { createdAt: T0 }));
    await s.runOnce();
    await outbox.enqueue(incidentAlert('incident.grew', { createdAt: T0 + 10 * 60_000 }, { count: 540, accountsAffected: 22 }));
    await outbox.enqueue(incidentAlert('incident.resolved', { createdAt: T0 + 60 * 60_000 }, { resolvedAt: T0 + 40 * 60_000 }));
    // the two follow-ups are both pending: the newer replaces the older (grouping)
    now += 1000;
    await s.runOnce();
    const [root, ...replies] = server.messages();
    expect(root!.thread_ts).toBeUndefined();
    expect(replies).toHaveLength(1);
    expect(replies[0]!.thread_ts).toBe(root!.ts);
    expect(replies[0]!.text).toContain('Resolved after 1 h');
    expect(replies[0]!.text).toContain('1 earlier update folded in');

    await outbox.enqueue(incidentAlert('incident.grew', { createdAt: T0 + 70 * 60_000 }, { count: 900 }));
    now += 1000;
    await s.runOnce();
    const last = server.messages().at(-1)!;
    expect(last.thread_ts).toBe(root!.ts);
    expect(last.text).toContain('Still growing: 900 events');
  });

  it('waits for the thread root before posting a follow-up', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c);
    server.script('chat.postMessage', { kind: 'slack-error', error: 'internal_error' });
    const opened = incidentAlert('incident.opened', { createdAt: T0 });
    const grew = incidentAlert('incident.grew', { createdAt: T0 + 60_000 });
    await outbox.enqueue(opened);
    await outbox.enqueue(grew);
    const first = await s.runOnce();
    expect(first.sent).toBe(0);
    expect(server.messages()).toHaveLength(0);
    expect((await doc(grew.dedupeKey)).status).toBe('pending');
    now += 60_000;
    await s.runOnce();
    const msgs = server.messages();
    expect(msgs).toHaveLength(2);
    expect(msgs[1]!.thread_ts).toBe(msgs[0]!.ts);
  });

  it('honours 429 Retry-After: no post before it has passed, and the client does not retry on its own', async () => {
    const c = cfg();
    const registry = new Registry();
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c, { registry });
    server.script('chat.postMessage', { kind: 'http', status: 429, retryAfter: 7 });
    const a = accountAlert({ createdAt: T0 });
    const b = incidentAlert('incident.opened', { createdAt: T0 });
    await outbox.enqueue(a);
    await outbox.enqueue(b);
    const start = now;
    const r1 = await s.runOnce();
    // one request, answered 429; the second alert is not tried during the pause
    expect(server.calls('chat.postMessage')).toHaveLength(1);
    expect(r1).toEqual({ sent: 0, failed: 0, held: 1 });
    const after429 = await doc(a.dedupeKey);
    expect(after429).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: start + 7000 });
    expect(after429.error).toContain('rate limit');

    now = start + 6999;
    await s.runOnce();
    expect(server.calls('chat.postMessage')).toHaveLength(1);

    now = start + 7000;
    const r3 = await s.runOnce();
    expect(r3.sent).toBe(2);
    expect(server.calls('chat.postMessage')).toHaveLength(3);
    expect(server.messages()).toHaveLength(2);
    expect(await metricValue(registry, 'alerts_retried_total')).toBe(1);
  });

  it('retries 5xx with exponential backoff and jitter, checking before reposting', async () => {
    const c = cfg({ delivery: { backoffBaseMs: 1000, jitter: 0.5 } });
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c);
    server.script('chat.postMessage', { kind: 'http', status: 500 }, { kind: 'http', status: 503 });
    const a = incidentAlert('incident.opened', { createdAt: T0 });
    await outbox.enqueue(a);
    const start = now;
    await s.runOnce();
    // attempt 1 failed: 1000 ms * (1 - 0.5 + 0.5 * 0.5)
    expect(await doc(a.dedupeKey)).toMatchObject({ status: 'pending', attempts: 1, uncertain: true, nextAttemptAt: start + 750, error: 'Slack HTTP 500' });
    now = start + 749;
    await s.runOnce();
    expect(server.calls('chat.postMessage')).toHaveLength(1);
    now = start + 750;
    await s.runOnce();
    // attempt 2 failed: twice the delay
    expect(await doc(a.dedupeKey)).toMatchObject({ attempts: 2, nextAttemptAt: now + 1500, error: 'Slack HTTP 503' });
    now += 1500;
    const r = await s.runOnce();
    expect(r.sent).toBe(1);
    expect(server.calls('chat.postMessage')).toHaveLength(3);
    // a 5xx may hide a post that went through, so history is read before each repost
    expect(server.calls('conversations.list').length + server.calls('conversations.history').length).toBeGreaterThanOrEqual(2);
    expect(server.messages()).toHaveLength(1);
  });

  it('marks an alert failed, with the error, when Slack refuses it for good or attempts run out', async () => {
    const c = cfg({ delivery: { maxAttempts: 2, backoffBaseMs: 10 } });
    const registry = new Registry();
    const outbox = new Outbox(store, c, { clock, registry });
    const s = sender(c, { registry });
    server.script('chat.postMessage', { kind: 'slack-error', error: 'channel_not_found' });
    const a = accountAlert({ createdAt: T0 });
    await outbox.enqueue(a);
    expect(await s.runOnce()).toEqual({ sent: 0, failed: 1, held: 0 });
    expect(await doc(a.dedupeKey)).toMatchObject({ status: 'failed', error: 'Slack error: channel_not_found' });

    server.script('chat.postMessage', { kind: 'http', status: 502 }, { kind: 'http', status: 502 });
    const b = incidentAlert('incident.opened', { createdAt: T0 });
    await outbox.enqueue(b);
    await s.runOnce();
    now += 60_000;
    await s.runOnce();
    expect(await doc(b.dedupeKey)).toMatchObject({ status: 'failed', attempts: 2, error: 'Slack HTTP 502' });
    expect(await metricValue(registry, 'alerts_failed_total')).toBe(2);
    expect((await outbox.stats()).failed).toBe(2);
    expect((await outbox.list({ status: 'failed' })).map((d) => d._id).sort()).toEqual([a.dedupeKey, b.dedupeKey].sort());
  });

  it('a response lost after Slack posted does not lead to a second post', async () => {
    const c = cfg({ delivery: { backoffBaseMs: 10 } });
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c);
    server.script('chat.postMessage', { kind: 'process-then-drop' });
    const a = incidentAlert('incident.opened', { createdAt: T0 });
    await outbox.enqueue(a);
    await s.runOnce();
    expect(server.messages()).toHaveLength(1);
    expect((await doc(a.dedupeKey)).uncertain).toBe(true);
    now += 60_000;
    await s.runOnce();
    expect(server.calls('chat.postMessage')).toHaveLength(1);
    expect(await doc(a.dedupeKey)).toMatchObject({ status: 'sent', ts: server.messages()[0]!.ts });
  });

  it('a restart in the middle of sending gives exactly one post', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    const threadRoot = incidentAlert('incident.opened', { createdAt: T0 });
    await outbox.enqueue(threadRoot);
    await sender(c).runOnce();
    const a = incidentAlert('incident.grew', { createdAt: T0 + 60_000 }, { count: 777 });
    await outbox.enqueue(a);

    // daemon A posts the follow-up; Slack takes it, and A dies before the answer arrives
    let release!: () => void;
    server.script('chat.postMessage', { kind: 'process-then-hold', release: new Promise<void>((r) => (release = r)) });
    const dying = mortal(store);
    const senderA = new AlertSender(dying.store, c, { slackApiUrl: server.url, clock, random, instanceId: 'daemon-a' });
    const inFlight = senderA.runOnce().catch(() => 'died');
    await server.waitFor('chat.postMessage', 2);
    dying.kill();
    release();
    expect(await inFlight).toBe('died');
    expect(await doc(a.dedupeKey)).toMatchObject({ status: 'sending', claimedBy: 'daemon-a' });

    // daemon B starts: the claim is fresh, so B leaves it alone
    const senderB = new AlertSender(store, c, { slackApiUrl: server.url, clock, random, instanceId: 'daemon-b' });
    await senderB.runOnce();
    expect(server.calls('chat.postMessage')).toHaveLength(2);
    // once the claim is stale, B finds the post in the thread and records it instead of posting
    now += c.delivery.staleClaimMs + 1;
    const r = await senderB.runOnce();
    expect(r.sent).toBe(1);
    expect(server.calls('chat.postMessage')).toHaveLength(2);
    expect(server.calls('conversations.replies').length).toBeGreaterThan(0);
    const replies = server.messages().filter((m) => m.thread_ts);
    expect(replies).toHaveLength(1);
    expect(await doc(a.dedupeKey)).toMatchObject({ status: 'sent', ts: replies[0]!.ts });
    now += 3600_000;
    await senderB.runOnce();
    expect(server.calls('chat.postMessage')).toHaveLength(2);
  });

  it('reads the whole alerts collection once on the embedded store, again every staleClaimMs on a durable one', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    await outbox.enqueue(accountAlert({ createdAt: T0 }));
    /** The store as seen by a sender, counting whole-collection reads of alerts; `durable` as given. */
    const counted = (durable: boolean) => {
      let finds = 0;
      const view = watchAlerts(store, (method) => void (method === 'find' && finds++), { durable });
      return { view, finds: () => finds };
    };
    for (const durable of [false, true]) {
      const { view, finds } = counted(durable);
      const s = new AlertSender(view, c, { slackApiUrl: server.url, clock, random, instanceId: `d-${durable}` });
      for (let i = 0; i < 3; i++) {
        await s.runOnce();
        now += c.delivery.staleClaimMs + 1;
      }
      // the first pass reads the open alerts; on the embedded store every later write passes through this process
      expect(finds()).toBe(durable ? 3 : 1);
    }
    expect(server.calls('chat.postMessage')).toHaveLength(1);
  });

  it('a daemon that died after claiming but before posting: the alert is posted once after recovery', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    const a = accountAlert({ createdAt: T0 });
    await outbox.enqueue(a);
    // what a daemon leaves behind when it dies right after its claim
    await store.collection<AlertDoc>('alerts').update(a.dedupeKey, { status: 'sending', claimId: 'dead-claim', claimedBy: 'daemon-a', claimedAt: now }, { inc: { attempts: 1 } });
    const s = sender(c, { instanceId: 'daemon-b' });
    await s.runOnce();
    expect(server.calls('chat.postMessage')).toHaveLength(0);
    now += c.delivery.staleClaimMs + 1;
    await s.runOnce();
    // it looked for an earlier post first (the channel is unknown to this daemon, so it lists channels)
    expect(server.calls('conversations.list').length + server.calls('conversations.history').length).toBeGreaterThan(0);
    expect(server.messages()).toHaveLength(1);
    expect((await doc(a.dedupeKey)).status).toBe('sent');
  });

  it('keeps one claim record per claim, and drops them after the retention', async () => {
    const c = cfg({ delivery: { claimRetentionMs: 60 * 60_000 } });
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c);
    await outbox.enqueue(accountAlert({ createdAt: T0 }));
    await s.runOnce();
    const kv = store.collection<{ _id: string; kind?: string }>('kv');
    expect((await kv.find({ kind: 'alert-claim' })).map((d) => d._id)).toEqual([`alert-claim:${accountAlert({ createdAt: T0 }).dedupeKey}#1`]);
    now += 2 * 60 * 60_000;
    await s.runOnce();
    expect(await kv.count({ kind: 'alert-claim' })).toBe(0);
  });

  it('two daemons sending from one store never post the same alert twice', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    for (let i = 0; i < 12; i++) await outbox.enqueue(accountAlert({ createdAt: T0 + i }, { accountId: `acc-${i}`, name: `Account ${i}` }));
    const a = sender(c, { instanceId: 'a' });
    const b = sender(c, { instanceId: 'b' });
    const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(ra.sent + rb.sent).toBe(12);
    const keys = server.calls('chat.postMessage').map((r) => (r.params.metadata as { event_payload: { dedupe_key: string } }).event_payload.dedupe_key);
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
  });

  it('a flapping incident does not become an alert storm', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c);
    const cycleMs = 4 * 60_000;
    const cycles = 30; // two hours of open/resolve every four minutes: 60 alerts
    const wall0 = now;
    for (let i = 0; i < cycles; i++) {
      const t = T0 + i * cycleMs;
      now = wall0 + i * cycleMs;
      const id = `inc-flap-${i}`;
      await outbox.enqueue(incidentAlert('incident.opened', { dedupeKey: `${id}:opened`, threadKey: `incident:${id}`, createdAt: t }, { incidentId: id }));
      await s.runOnce();
      now += cycleMs / 2;
      await outbox.enqueue(incidentAlert('incident.resolved', { dedupeKey: `${id}:resolved`, threadKey: `incident:${id}`, createdAt: t + cycleMs / 2 }, { incidentId: id, resolvedAt: t + cycleMs / 2 }));
      await s.runOnce();
    }
    // let every deferred update go out
    for (let k = 0; k < 4; k++) {
      now += c.cooldown.groupWindowMs / 2;
      await s.runOnce();
    }
    const msgs = server.messages();
    const hours = Math.ceil((cycles * cycleMs) / c.cooldown.groupWindowMs) + 1;
    expect(msgs.length).toBeLessThanOrEqual(hours * c.cooldown.maxMessagesPerGroup);
    expect(msgs.length).toBeLessThan(cycles * 2 / 4);
    // one top-level message; everything else in its thread
    expect(msgs.filter((m) => !m.thread_ts)).toHaveLength(1);
    expect(msgs.filter((m) => m.thread_ts && m.thread_ts !== msgs[0]!.ts)).toHaveLength(0);
    // the last word is the current state: resolved
    expect(msgs.at(-1)!.text).toContain('Resolved');
    const st = await outbox.stats();
    expect(st.pending + st.sending).toBe(0);
    expect(st.superseded).toBeGreaterThan(cycles);
  });

  it('a replay in event time (wall clock frozen) keeps the same budget and releases deferred updates by event time', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c);
    const cycleMs = 4 * 60_000;
    const cycles = 30;
    for (let i = 0; i < cycles; i++) {
      const t = T0 + i * cycleMs;
      const id = `inc-replay-${i}`;
      await outbox.enqueue(incidentAlert('incident.opened', { dedupeKey: `${id}:opened`, threadKey: `incident:${id}`, createdAt: t }, { incidentId: id }));
      await outbox.enqueue(incidentAlert('incident.resolved', { dedupeKey: `${id}:resolved`, threadKey: `incident:${id}`, createdAt: t + cycleMs / 2 }, { incidentId: id, resolvedAt: t + cycleMs / 2 }));
      await s.runOnce();
    }
    const msgs = server.messages();
    const hours = Math.ceil((cycles * cycleMs) / c.cooldown.groupWindowMs) + 1;
    expect(msgs.length).toBeLessThanOrEqual(hours * c.cooldown.maxMessagesPerGroup);
    // more than the first window's budget went out although the wall clock never moved
    expect(msgs.length).toBeGreaterThan(c.cooldown.maxMessagesPerGroup);
    expect(msgs.filter((m) => !m.thread_ts)).toHaveLength(1);
    // at most the newest update still waits for its slot
    expect((await outbox.stats()).pending).toBeLessThanOrEqual(1);
  });

  it('quiet hours hold non-critical alerts and release them as one summary per channel', async () => {
    const c = cfg({ quietHours: { enabled: true, timezone: 'America/New_York', start: '22:00', end: '08:00' } });
    // 03:00 in New York (EST, UTC-5)
    now = Date.UTC(2026, 10, 24, 8, 0, 0);
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c);
    const t = now;
    await outbox.enqueue(incidentAlert('incident.opened', { createdAt: t, severity: 'sev3' }, { incidentId: 'inc-a', clusterId: 'c-a' }));
    await outbox.enqueue(incidentAlert('incident.opened', { createdAt: t, severity: 'sev1' }, { incidentId: 'inc-b', clusterId: 'c-b' }));
    await outbox.enqueue(accountAlert({ createdAt: t }, { accountId: 'acc-9', name: 'Soylent', band: 'at-risk' }));
    await outbox.enqueue(accountAlert({ createdAt: t }, { accountId: 'acc-8', name: 'Hooli', band: 'critical' }));
    await s.runOnce();
    const firstLines = server.messages().map((m) => m.text.split('\n')[0]!);
    expect(firstLines.some((l) => l.includes('[SEV1] Error spike'))).toBe(true);
    expect(firstLines.some((l) => l.includes('Hooli is critical'))).toBe(true);
    expect(server.messages()).toHaveLength(2);
    const held = await outbox.list({ status: 'held' });
    expect(held).toHaveLength(2);
    expect(held[0]!.holdUntil).toBe(Date.UTC(2026, 10, 24, 13, 0, 0));

    now = Date.UTC(2026, 10, 24, 12, 59, 0);
    await s.runOnce();
    expect(server.messages()).toHaveLength(2);
    now = Date.UTC(2026, 10, 24, 13, 0, 0);
    await s.runOnce();
    const summaries = server.messages().slice(2);
    expect(summaries).toHaveLength(2);
    expect(summaries.every((m) => m.text.startsWith('1 alert held during quiet hours'))).toBe(true);
    expect(summaries.map((m) => m.text).join('\n')).toContain('Soylent (enterprise) is at-risk');
    expect((await outbox.list({ status: 'released' })).every((d) => d.releasedInto?.startsWith('held:'))).toBe(true);
  });

  it('a critical follow-up of an incident held for quiet hours goes out at once, saying what it is about', async () => {
    const c = cfg({ quietHours: { enabled: true, timezone: 'UTC', start: '22:00', end: '08:00' } });
    now = Date.UTC(2026, 10, 24, 2, 0, 0);
    const outbox = new Outbox(store, c, { clock });
    const s = sender(c);
    await outbox.enqueue(incidentAlert('incident.opened', { createdAt: now, severity: 'sev3' }));
    await outbox.enqueue(incidentAlert('incident.grew', { createdAt: now + 60_000, severity: 'sev1' }, { count: 4000 }));
    await s.runOnce();
    const msgs = server.messages();
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.thread_ts).toBeUndefined();
    expect(msgs[0]!.text).toContain('[SEV1] Still growing: 4,000 events');
    expect(msgs[0]!.text).toContain('Error template: PaymentGatewayError');
  });

  it('routes the digest to support and an enterprise account alert with the owner mentioned', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    await outbox.enqueue({ dedupeKey: 'digest:2026-11-24', kind: 'digest.outreach', createdAt: T0, payload: digestPayload(3) });
    await outbox.enqueue(accountAlert({ createdAt: T0 }));
    await sender(c).runOnce();
    const calls = server.calls('chat.postMessage').map((r) => r.params as { channel: string; text: string; blocks: unknown[] });
    expect(calls.map((p) => p.channel)).toEqual(['#vigil-accounts', '#vigil-accounts']);
    const account = calls.find((p) => p.text.includes('Acme Corp is at-risk'))!;
    expect(JSON.stringify(account.blocks)).toContain('<@U024BE7LH>');
    expect(JSON.stringify(account.blocks)).toContain('Health score 71 → 38 (watch → at-risk)');
  });
});

describe('AlertSender without Slack', () => {
  it('prints alerts to the console sink when no token is configured', async () => {
    const c = testConfig();
    const out = new PassThrough();
    let printed = '';
    out.on('data', (b: Buffer) => (printed += b.toString()));
    const outbox = new Outbox(store, c, { clock });
    await outbox.enqueue(incidentAlert('incident.opened', { createdAt: T0 }));
    await outbox.enqueue(incidentAlert('incident.grew', { createdAt: T0 + 60_000 }, { count: 401 }));
    const s = new AlertSender(store, c, { clock, instanceId: 'demo', out });
    expect(s.transportName).toBe('console');
    await s.runOnce();
    await s.runOnce();
    expect(printed).toContain('Slack → #vigil-incidents');
    expect(printed).toContain('Error spike across 14 accounts');
    expect(printed).toContain('Still growing: 401 events');
    expect(printed).toMatch(/#vigil-incidents \(thread \d+\.\d+\)/);
    expect(printed).not.toContain('jane.doe@acme.com');
    expect((await outbox.list({ status: 'sent' })).every((d) => d.transport === 'console')).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('dry-run renders but never calls Slack, even with a token', async () => {
    const c = cfg({ dryRun: true });
    const out = new PassThrough();
    let printed = '';
    out.on('data', (b: Buffer) => (printed += b.toString()));
    const outbox = new Outbox(store, c, { clock });
    await outbox.enqueue(accountAlert({ createdAt: T0 }));
    const s = sender(c, { out });
    await s.runOnce();
    expect(printed).toContain('[dry run] Slack → #vigil-accounts');
    expect(printed).toContain('Suggested action: Call the admin today');
    expect(server.requests).toHaveLength(0);
    expect((await outbox.list({ status: 'sent' }))[0]!.transport).toBe('dry-run');
  });

  it('the paced pass posts at most once per channel per channelIntervalMs; an explicit pass is not paced', async () => {
    const c = cfg({ delivery: { channelIntervalMs: 1000 } });
    const outbox = new Outbox(store, c, { clock });
    for (let i = 0; i < 3; i++) await outbox.enqueue(accountAlert({ createdAt: T0 + i }, { accountId: `acc-${i}`, name: `Account ${i}` }));
    for (let i = 0; i < 2; i++) await outbox.enqueue(incidentAlert('incident.opened', { createdAt: T0 + i }, { incidentId: `inc-${i}`, clusterId: `cl-${i}` }));
    const s = sender(c);
    const channels = () => server.calls('chat.postMessage').map((call) => (call.params as { channel: string }).channel);
    expect(await s.runOnce({ paced: true })).toEqual({ sent: 2, failed: 0, held: 0 });
    expect(channels().sort()).toEqual(['#vigil-accounts', '#vigil-incidents']);
    // the oldest of each channel went first
    expect((await doc(accountAlert({ createdAt: T0 }, { accountId: 'acc-0' }).dedupeKey)).status).toBe('sent');
    now += 999;
    expect(await s.runOnce({ paced: true })).toEqual({ sent: 0, failed: 0, held: 0 });
    now += 1;
    expect(await s.runOnce({ paced: true })).toEqual({ sent: 2, failed: 0, held: 0 });
    expect(channels().filter((ch) => ch === '#vigil-incidents')).toHaveLength(2);
    // a flush sends what is due at once, pace or not
    expect(await s.runOnce()).toEqual({ sent: 1, failed: 0, held: 0 });
    expect(await outbox.stats()).toMatchObject({ sent: 5, pending: 0 });
  });

  it('start() delivers in the background and stop() ends the loop', async () => {
    const c = cfg();
    const outbox = new Outbox(store, c, { clock });
    await outbox.enqueue(accountAlert({ createdAt: T0 }));
    const s = sender(c);
    s.start(20);
    await server.waitFor('chat.postMessage', 1);
    await s.stop();
    const calls = server.requests.length;
    await outbox.enqueue(accountAlert({ createdAt: T0 + 1 }, { accountId: 'acc-2', name: 'Globex' }));
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests.length).toBe(calls);
  });

  it('reads the alerts whole once, then works from those it is told of; others are seen within staleClaimMs', async () => {
    const c = cfg();
    let reads = 0;
    // the store as this process sees it, counting finds and counts over the alerts; another
    // process can write only to a durable store (the embedded one is read whole once)
    const counted = watchAlerts(store, (method) => void ((method === 'find' || method === 'count') && reads++), { durable: true });
    const outbox = new Outbox(counted, c, { clock });
    const s = new AlertSender(counted, c, { slackApiUrl: server.url, clock, random, instanceId: 'test-a' });
    await outbox.enqueue(accountAlert({ createdAt: T0 }));
    expect(await s.runOnce()).toMatchObject({ sent: 1 });
    const afterFirst = reads;
    await outbox.enqueue(accountAlert({ createdAt: T0 + 1 }, { accountId: 'acc-2', name: 'Globex' }));
    now += 1000;
    expect(await s.runOnce()).toMatchObject({ sent: 1 });
    now += 1000;
    await s.runOnce();
    expect(reads).toBe(afterFirst);
    // stored by another process: not told, found at the next whole read
    await new Outbox(store, c, { clock }).enqueue(accountAlert({ createdAt: T0 + 2 }, { accountId: 'acc-3', name: 'Initech' }));
    now += 1000;
    expect(await s.runOnce()).toMatchObject({ sent: 0 });
    now += c.delivery.staleClaimMs;
    expect(await s.runOnce()).toMatchObject({ sent: 1 });
    expect(reads).toBeGreaterThan(afterFirst);
    expect(server.messages()).toHaveLength(3);
  });
});
