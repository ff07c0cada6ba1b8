// The account health answer (fastify inject): components, the 90-day history across month
// documents, recent messages redacted and newest first, error templates and open incidents; the
// same answer whether the store lends its documents or copies them, and the store left unchanged.
import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerQueryRoutes } from '../../src/api/query-routes.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Doc, DocCollection, Store } from '../../src/store/repository.js';
import { redact } from '../../src/alerts/redact.js';

const END = Date.UTC(2026, 10, 20, 23, 59, 59, 999); // 2026-11-20, end of day

/** The same store behind a facade that only has the repository interface (no lending). */
function copyingOnly(store: Store): Store {
  return {
    kind: store.kind,
    durable: store.durable,
    init: () => store.init(),
    ping: () => store.ping(),
    close: () => store.close(),
    reserveSeq: (name, n) => store.reserveSeq(name, n),
    collection<T extends Doc>(name: Parameters<Store['collection']>[0]): DocCollection<T> {
      const c = store.collection<T>(name);
      return {
        get: (id) => c.get(id),
        getMany: (ids) => c.getMany(ids),
        putMany: (docs) => c.putMany(docs),
        put: (doc) => c.put(doc),
        insertNew: (docs) => c.insertNew(docs),
        update: (id, set, opts) => c.update(id, set, opts),
        updateMany: (ops) => c.updateMany(ops),
        find: (filter, opts) => c.find(filter, opts),
        count: (filter) => c.count(filter),
        deleteMany: (filter) => c.deleteMany(filter),
      };
    },
  };
}

async function seed(store: Store): Promise<Record<string, unknown[]>> {
  const docs: Record<string, Array<Doc & Record<string, unknown>>> = {
    health: [
      {
        _id: 'acme', accountId: 'acme', score: 41, band: 'at-risk', priority: 7.5, name: 'Acme', tier: 'growth', arr: 120_000, updatedAt: END,
        components: [{ name: 'sentiment', value: -0.4, weight: 0.3, contribution: -12 }, { name: 'tickets', value: 3, weight: 0.2, contribution: -5 }],
        topReasons: ['sentiment fell'], priorityReasons: ['renewal soon'], suggestedAction: 'call', features: [0.1, 0.2], sentiment: -0.4, ticketsToday: 3, trends: { sentiment7d: -0.2 },
        openIncidents: ['inc-1'],
      },
    ],
    accounts: [{ _id: 'acme', accountId: 'acme', name: 'Acme', tier: 'growth', arr: 120_000 }],
    accountStates: [
      {
        _id: 'acme', appliedAt: END,
        recentErrors: [{ clusterId: 'c1', at: END - 2000 }, { clusterId: 'c2', at: END - 1000 }],
        recentTickets: [{ at: END - 5000, type: 'ticket.message', author: 'customer', text: 'mail me at jo@example.com' }, { at: END - 4000, type: 'ticket.message', author: 'agent', text: 'on it' }],
      },
    ],
    healthHistory: [
      // the 90 days up to 2026-11-20 start 2026-08-23: August's earlier days are left out
      { _id: 'acme|2026-08', accountId: 'acme', month: '2026-08', d22: { score: 80, band: 'healthy', sentiment: 0.1, tickets: 1 }, d23: { score: 79, band: 'healthy', sentiment: 0.1, tickets: 0 } },
      { _id: 'acme|2026-10', accountId: 'acme', month: '2026-10', d31: { score: 60, band: 'watch', sentiment: null, tickets: null }, d01: { score: 70, band: 'watch', sentiment: 0, tickets: 2 } },
      { _id: 'acme|2026-11', accountId: 'acme', month: '2026-11', d20: { score: 41, band: 'at-risk', sentiment: -0.4, tickets: 3 }, d21: { score: 1, band: 'critical', sentiment: -1, tickets: 9 } },
    ],
    clusters: [{ _id: 'c1', template: 'timeout after <*> ms' }, { _id: 'c2', template: 'disk full on <*>' }],
    incidents: [{ _id: 'inc-1', template: 'timeout after <*> ms', status: 'open', series: Array.from({ length: 500 }, (_, t) => ({ t, count: t % 7, baseline: 1 })) }],
  };
  for (const [name, list] of Object.entries(docs)) await store.collection(name as Parameters<Store['collection']>[0]).putMany(list);
  return docs;
}

async function serve(store: Store): Promise<FastifyInstance> {
  const app = Fastify();
  await registerQueryRoutes(app, {
    store,
    requireScope: () => async () => undefined,
    recordOutcome: async () => null,
    overviewCacheMs: 0,
    alerts: { list: async () => [], stats: async () => ({}) } as never,
    redactIps: true,
  });
  await app.ready();
  return app;
}

/**
 * The answer as the route built it as an object before it wrote bytes (the stored health fields
 * without _id, then account, history, recentTickets, recentErrors, openIncidents, in Object.assign's
 * order): the route's bytes must be those of JSON.stringify of this.
 */
async function referenceAnswer(store: Store, id: string, endDays: string[]): Promise<unknown> {
  const get = (name: Parameters<Store['collection']>[0], key: string) => store.collection<Doc & Record<string, unknown>>(name).get(key);
  const h = (await get('health', id))!;
  const account = await get('accounts', id);
  const state = (await get('accountStates', id)) as { recentTickets?: Array<{ text: string }>; recentErrors?: Array<{ clusterId: string; at: number }> } | null;
  const history: unknown[] = [];
  for (const day of endDays) {
    const month = await get('healthHistory', `${id}|${day.slice(0, 7)}`);
    const p = month?.[`d${day.slice(8)}`];
    if (month && month.accountId === id && p) history.push({ day, ...(p as object) });
  }
  const errors = state?.recentErrors ?? [];
  const templates = new Map<string, unknown>();
  for (const e of errors) templates.set(e.clusterId, (await get('clusters', e.clusterId))?.template);
  const incidents = [];
  for (const i of (h.openIncidents as string[] | undefined) ?? []) {
    const doc = await get('incidents', i);
    if (doc) incidents.push({ id: doc._id, template: doc.template });
  }
  const fields: Record<string, unknown> = {};
  for (const k in h) if (k !== '_id') fields[k] = h[k];
  return Object.assign(fields, {
    account: account ? { ...account, _id: undefined } : null,
    history,
    recentTickets: (state?.recentTickets ?? []).slice().reverse().map((t) => ({ ...t, text: redact(t.text, { ips: true }) })),
    recentErrors: errors.slice().reverse().map((e) => ({ clusterId: e.clusterId, template: templates.get(e.clusterId) ?? '', at: e.at })),
    openIncidents: incidents,
  });
}

describe('GET /v1/accounts/:id/health', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
  });

  it('answers with components, the 90-day history, redacted recent messages, templates and open incidents', async () => {
    const store = createMemoryStore();
    await seed(store);
    const app = await serve(store);
    apps.push(app);
    const res = await app.inject({ method: 'GET', url: '/v1/accounts/acme/health' });
    expect(res.statusCode).toBe(200);
    // sent as bytes encoded once, still declared as JSON text
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    const body = res.json();
    expect(body._id).toBeUndefined();
    expect(body.components).toHaveLength(2);
    expect(body.account).toEqual({ accountId: 'acme', name: 'Acme', tier: 'growth', arr: 120_000 });
    expect(body.history.map((p: { day: string }) => p.day)).toEqual(['2026-08-23', '2026-10-01', '2026-10-31', '2026-11-20']);
    expect(body.history[2]).toEqual({ day: '2026-10-31', score: 60, band: 'watch', sentiment: null, tickets: null });
    expect(body.recentTickets.map((t: { text: string }) => t.text)).toEqual(['on it', 'mail me at [email]']);
    expect(body.recentErrors).toEqual([
      { clusterId: 'c2', template: 'disk full on <*>', at: END - 1000 },
      { clusterId: 'c1', template: 'timeout after <*> ms', at: END - 2000 },
    ]);
    expect(body.openIncidents).toEqual([{ id: 'inc-1', template: 'timeout after <*> ms' }]);
    expect((await app.inject({ method: 'GET', url: '/v1/accounts/nobody/health' })).statusCode).toBe(404);
  });

  it('gives the same answer from lent documents as from copies, and leaves the store as it was', async () => {
    const store = createMemoryStore();
    const docs = await seed(store);
    const lending = await serve(store);
    const copying = await serve(copyingOnly(store));
    apps.push(lending, copying);
    const a = await lending.inject({ method: 'GET', url: '/v1/accounts/acme/health' });
    const b = await copying.inject({ method: 'GET', url: '/v1/accounts/acme/health' });
    expect(a.statusCode).toBe(200);
    expect(a.body).toBe(b.body);
    // twice over: the first answer changed nothing it read
    expect((await lending.inject({ method: 'GET', url: '/v1/accounts/acme/health' })).body).toBe(a.body);
    for (const [name, list] of Object.entries(docs)) {
      const coll = store.collection<Doc>(name as Parameters<Store['collection']>[0]);
      expect(await coll.getMany(list.map((d) => (d as Doc)._id))).toEqual(list);
    }
  });

  it('writes the bytes of JSON.stringify of the answer object, escapes, emoji and odd documents included', async () => {
    const store = createMemoryStore();
    await seed(store);
    const odd = 'zeta ✨ "quoted"\n';
    await store.collection('health').putMany([
      {
        _id: 'zeta', accountId: 'zeta', name: odd, history: 'stored field of an added name', score: 12.345678, band: 'critical', priority: -0.5, tier: 'starter', arr: 0,
        updatedAt: END, components: [{ name: 'sentiment', value: 1e-7, weight: 1 / 3, note: 'tab\there', empty: [] }], topReasons: ['😀 ok', 'lone \ud83d end', 'ctl \u0001'], openIncidents: ['inc-1', 'gone'],
      },
    ]);
    await store.collection('accountStates').putMany([
      {
        _id: 'zeta', appliedAt: END,
        recentErrors: [{ clusterId: 'nope', at: END }, { clusterId: 'c1', at: END - 1 }],
        recentTickets: [{ at: END - 3, type: 'ticket.message', text: 'call +1 415 555 0100 or 10.0.0.1, "quote" \\ back\nslash 🚀' }, { ticketId: 't9', at: END - 2, author: 'ai', type: 'ticket.message', text: 'résumé ünïcödé' }],
      },
    ]);
    await store.collection('healthHistory').putMany([
      { _id: 'zeta|2026-11', accountId: 'zeta', month: '2026-11', d19: { band: 'x', score: 1 }, d20: { day: 'its own day', score: 2 }, d18: { 0: 'index key', score: 3 } },
      { _id: 'zeta|2026-10', accountId: 'someone else', month: '2026-10', d05: { score: 4 } },
    ]);
    const days = ['2026-10-05', '2026-11-18', '2026-11-19', '2026-11-20'];
    const lending = await serve(store);
    const copying = await serve(copyingOnly(store));
    apps.push(lending, copying);
    for (const id of ['acme', 'zeta']) {
      const expected = Buffer.from(JSON.stringify(await referenceAnswer(store, id, id === 'acme' ? ['2026-08-23', '2026-10-01', '2026-10-31', '2026-11-20'] : days)));
      for (const app of [lending, copying]) {
        const res = await app.inject({ method: 'GET', url: `/v1/accounts/${id}/health` });
        expect(res.rawPayload.equals(expected), `${id}: ${res.body}`).toBe(true);
      }
    }
  });
});
