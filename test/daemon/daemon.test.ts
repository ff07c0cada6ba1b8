import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon, type DaemonHandle } from '../../src/daemon/daemon.js';
import { generateScenario } from '../../src/scenario/generate.js';

const WRITE = 'w'.repeat(24);
const READ = 'r'.repeat(24);
const scenario = generateScenario({ seed: 11, accounts: 80, days: 28, startMs: Date.UTC(2026, 9, 1) });
let daemon: DaemonHandle;
let printed = '';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read JSON bodies of many shapes
async function api(path: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(daemon.url + path, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${init.token ?? READ}`, ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

beforeAll(async () => {
  const config = loadConfig({
    env: { VIGIL_API_TOKENS: `${WRITE}:read+write,${READ}:read` },
    overrides: { server: { port: 0 }, log: { level: 'silent' } },
  });
  const out = new Writable({
    write(chunk, _enc, cb) {
      printed += chunk.toString();
      cb();
    },
  });
  daemon = await startDaemon(config, { autoProcess: false, logger: pino({ level: 'silent' }), alertsOut: out });
  for (const a of scenario.accounts.slice(0, 5)) {
    const { accountId, ...rest } = a;
    const r = await api(`/v1/accounts/${accountId}`, { method: 'PUT', body: JSON.stringify(rest), token: WRITE });
    expect(r.status).toBe(201);
  }
  const wire = scenario.events.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt).toISOString() }));
  for (let i = 0; i < wire.length; i += 1000) {
    const r = await api('/v1/events', { method: 'POST', body: JSON.stringify(wire.slice(i, i + 1000)), token: WRITE });
    expect(r.status).toBe(202);
  }
  await daemon.ingest([], scenario.accounts);
  await daemon.drain();
  await daemon.flushAlerts();
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
});

describe('daemon query API', () => {
  it('lists accounts by band with sparklines, paginated, and explains one account', async () => {
    const page = await api('/v1/health?sort=score&limit=10&offset=0');
    expect(page.status).toBe(200);
    expect(page.body.total).toBeGreaterThan(60);
    expect(page.body.items).toHaveLength(10);
    const scores = page.body.items.map((i: { score: number }) => i.score);
    expect([...scores].sort((a, b) => a - b)).toEqual(scores);
    expect(page.body.items[0].spark.score.length).toBeGreaterThan(5);
    const next = await api('/v1/health?sort=score&limit=10&offset=10');
    expect(next.body.items[0].accountId).not.toBe(page.body.items[0].accountId);

    const id = page.body.items[0].accountId;
    const one = await api(`/v1/accounts/${id}/health`);
    expect(one.status).toBe(200);
    expect(one.body.components.length).toBeGreaterThan(3);
    for (const c of one.body.components) expect(typeof c.sentence).toBe('string');
    expect(one.body.history.length).toBeGreaterThan(14);
    expect(one.body.recentTickets.length).toBeGreaterThan(0);
    expect(one.body.account?.name).toBeTruthy();
  });

  it('flags the souring accounts and opens the spike incident with redacted samples', async () => {
    const atRisk = await api('/v1/health?band=critical&limit=500');
    const atRisk2 = await api('/v1/health?band=at-risk&limit=500');
    const flagged = new Set([...atRisk.body.items, ...atRisk2.body.items].map((i: { accountId: string }) => i.accountId));
    const souring = scenario.truth.souring.map((s) => s.accountId);
    expect(souring.filter((s) => flagged.has(s)).length).toBeGreaterThanOrEqual(Math.ceil(souring.length / 2));
    const incidents = await api('/v1/incidents');
    const spike = incidents.body.items.find((i: { accountsAffected: number }) => i.accountsAffected >= 3);
    expect(spike).toBeTruthy();
    const detail = await api(`/v1/incidents/${encodeURIComponent(spike.id)}`);
    expect(detail.body.timeline[0].kind).toBe('opened');
    expect(detail.body.series.length).toBeGreaterThan(0);
    expect(detail.body.affectedAccounts.length).toBe(spike.accountsAffected);
    expect(printed).toContain('Error spike');
  });

  it('records an outreach outcome and reflects it, with a training label', async () => {
    const list = await api('/v1/outreach');
    expect(list.body.items.length).toBeGreaterThan(0);
    const entry = list.body.items[0];
    const bad = await api(`/v1/outreach/${entry.id}/outcome`, { method: 'POST', body: JSON.stringify({ status: 'won' }), token: WRITE });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^status: /);
    const forbidden = await api(`/v1/outreach/${entry.id}/outcome`, { method: 'POST', body: JSON.stringify({ status: 'contacted' }), token: READ });
    expect(forbidden.status).toBe(403);
    const ok = await api(`/v1/outreach/${entry.id}/outcome`, { method: 'POST', body: JSON.stringify({ status: 'resolved', outcome: 'saved' }), token: WRITE });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('resolved');
    const after = await api('/v1/outreach?status=resolved');
    expect(after.body.items.map((i: { id: string }) => i.id)).toContain(entry.id);
    expect(await daemon.store.collection('labels').count({})).toBe(1);
    expect((await api('/v1/outreach/nope/outcome', { method: 'POST', body: JSON.stringify({ status: 'contacted' }), token: WRITE })).status).toBe(404);
  });

  it('serves overview, clusters, OpenAPI, metrics and the dashboard', async () => {
    const o = await api('/v1/overview');
    expect(o.body.accounts.total).toBeGreaterThan(60);
    expect(o.body.scoreHistogram.reduce((a: number, b: number) => a + b, 0)).toBe(o.body.accounts.total);
    expect(o.body.escalation.tickets).toBeGreaterThan(0);
    const c = await api('/v1/clusters?limit=5');
    expect(c.body.items.length).toBeGreaterThan(0);
    const doc = await api('/docs/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/v1/accounts/{id}/health');
    const alerts = await api('/v1/alerts?status=sent');
    expect(alerts.body.stats.sent).toBeGreaterThan(0);
    expect(alerts.body.items.every((a: { status: string }) => a.status === 'sent')).toBe(true);
    expect((await api('/v1/alerts?status=nope')).status).toBe(400);
    const m = await fetch(daemon.url + '/metrics');
    expect(await m.text()).toContain('vigil_pipeline_events_processed_total');
    const home = await fetch(daemon.url + '/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
    expect((await api('/v1/overview', { token: 'x'.repeat(24) })).status).toBe(401);
  });
});

describe('daemon pipeline settings', () => {
  it('prepares events on a worker thread by default, and on the pipeline thread with pipeline.prepareOffThread false', async () => {
    expect(await daemon.processor()!.engines.preparer.ready()).toBe(true);
    const config = loadConfig({ env: {}, overrides: { server: { port: 0 }, log: { level: 'silent' }, pipeline: { prepareOffThread: false } } });
    const single = await startDaemon(config, { autoProcess: false, logger: pino({ level: 'silent' }), alertsOut: new Writable({ write: (_c, _e, cb) => cb() }) });
    try {
      expect(await single.processor()!.engines.preparer.ready()).toBe(false);
      // the same events give the same scores on one thread
      await single.ingest(scenario.events, scenario.accounts);
      await single.drain();
      const id = scenario.accounts[7]!.accountId;
      const [here, there] = await Promise.all([single.store.collection<{ _id: string; score: number }>('health').get(id), daemon.store.collection<{ _id: string; score: number }>('health').get(id)]);
      expect(here?.score).toBeTypeOf('number');
      expect(here?.score).toBe(there?.score);
    } finally {
      await single.stop();
    }
  }, 60_000);
});

describe('daemon stop', () => {
  it('lets a stopped daemon\'s pipeline be collected (metrics registry emptied)', async () => {
    // the collector, for this test only: weak references tell whether anything still holds the pipeline
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const config = loadConfig({ env: {}, overrides: { server: { port: 0 }, log: { level: 'silent' } } });
    const start = async () => {
      const d = await startDaemon(config, { autoProcess: false, logger: pino({ level: 'silent' }), alertsOut: new Writable({ write: (_c, _e, cb) => cb() }) });
      await d.ingest(scenario.events.slice(0, 500), scenario.accounts);
      await d.drain();
      const engines = new WeakRef(d.processor()!.engines);
      await d.stop();
      return engines;
    };
    const engines = await start();
    for (let i = 0; i < 5 && engines.deref() !== undefined; i++) {
      await new Promise((r) => setTimeout(r, 20));
      gc();
    }
    expect(engines.deref()).toBeUndefined();
  }, 60_000);
});
