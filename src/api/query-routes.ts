// Read side of the HTTP API: account health (with components and 90-day history), accounts by
// band or score, outreach and outcomes, incidents, clusters, escalation metrics and an overview.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ScopeCheck } from './auth.js';
import { z } from 'zod';
import type { Store, Filter, Doc, DocCollection } from '../store/repository.js';
import { lendsDocuments } from '../store/memory/memory-store.js';
import type { HealthDoc, IncidentDoc, OutreachDoc } from '../pipeline/findings-writer.js';
import { redact } from '../alerts/redact.js';
import type { Outbox } from '../alerts/outbox.js';
import { healthAnswers, type HistoryMonthDoc } from './health-answer.js';
import { DAY_FIELDS, HistoryWindows, endDayIndex, firstDayIndex, inMonthOrder, type HistoryWindow } from './history-window.js';

export interface QueryDeps {
  store: Store;
  requireScope: (scope: 'read' | 'write') => ScopeCheck;
  /** Records an outreach outcome (status change, label for the learner); returns the updated entry or null. */
  recordOutcome: (id: string, body: OutcomeBody) => Promise<OutreachDoc | null>;
  /** Live pipeline figures, when this daemon runs the pipeline. */
  pipelineStats?: () => Record<string, unknown>;
  /** How long overview figures may be reused (they scan every account). */
  overviewCacheMs: number;
  /** The alert outbox, for delivery status (failures are visible here and in /metrics). */
  alerts: Pick<Outbox, 'list' | 'stats'>;
  /** Whether IP addresses are redacted in what the API shows. */
  redactIps: boolean;
}

export const outcomeBody = z.strictObject({
  status: z.enum(['contacted', 'resolved', 'dismissed']),
  outcome: z.enum(['saved', 'churned', 'false_alarm']).optional(),
  note: z.string().max(2000).optional(),
});
export type OutcomeBody = z.infer<typeof outcomeBody>;

const JSON_UTF8 = 'application/json; charset=utf-8';

const BANDS = ['healthy', 'watch', 'at-risk', 'critical'] as const;
const healthQuery = z.strictObject({
  band: z.enum(BANDS).optional(),
  tier: z.enum(['enterprise', 'growth', 'starter']).optional(),
  sort: z.enum(['score', '-score', '-priority', 'priority']).default('-priority'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

interface HistoryPoint {
  day: string;
  score: number;
  band: string;
  sentiment: number | null;
  tickets: number | null;
}

/** Days of history in an account's answer (the account page's chart) and in the list's sparklines. */
const ACCOUNT_HISTORY_DAYS = 90;
const SPARK_DAYS = 30;

/**
 * Reads for building an answer, which only reads what it gets: the stored documents themselves
 * where the store lends them (the embedded store: no deep copy per read, which for an incident with
 * its series and affected accounts is most of a request), copies otherwise.
 */
interface AnswerReads<T extends Doc> {
  get(id: string): Promise<Readonly<T> | null>;
  getMany(ids: string[]): Promise<ReadonlyArray<Readonly<T>>>;
}

function readsFor<T extends Doc>(coll: DocCollection<T>): AnswerReads<T> {
  if (!lendsDocuments(coll)) return coll;
  return {
    get: async (id) => coll.peek(id),
    getMany: async (ids) => {
      const out: Array<Readonly<T>> = [];
      for (const id of ids) {
        const d = coll.peek(id);
        if (d) out.push(d);
      }
      return out;
    },
  };
}

async function historyOf(store: Store, accountIds: string[], window: HistoryWindow): Promise<Map<string, HistoryPoint[]>> {
  const ids: string[] = [];
  for (const a of accountIds) for (const m of window.months) ids.push(`${a}|${m}`);
  const docs = await readsFor(store.collection<HistoryMonthDoc>('healthHistory')).getMany(ids);
  const out = new Map<string, HistoryPoint[]>(accountIds.map((a) => [a, []]));
  // asked for oldest month first
  for (const doc of inMonthOrder(docs)) {
    const list = out.get(doc.accountId);
    if (!list) continue;
    // only the month's days inside the window: whole months in the middle, a part at either end
    const to = endDayIndex(window, doc.month);
    for (let i = firstDayIndex(window, doc.month); i < to; i++) {
      const { field, suffix } = DAY_FIELDS[i]!;
      const p = doc[field] as Omit<HistoryPoint, 'day'> | undefined;
      if (p) list.push({ day: doc.month + suffix, ...p });
    }
  }
  return out;
}

/** An account's health answer (its JSON's UTF-8 bytes, written once: no object, string or serializer in between), or 404. */
function sendHealth(reply: FastifyReply, id: string, body: Buffer | null): FastifyReply {
  if (!body) return reply.code(404).send({ error: 'not_found', message: `account ${id}: no health score yet (no events seen for it)` });
  return reply.type(JSON_UTF8).send(body);
}

function badRequest(message: string, field?: string) {
  return { error: 'bad_request', message, ...(field ? { errors: [{ index: 0, field, reason: message }] } : {}) };
}

function zodMessage(err: z.ZodError): { field: string; reason: string } {
  const issue = err.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0]! : issue.path.join('.') || '(body)';
  return { field, reason: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message };
}

export async function registerQueryRoutes(app: FastifyInstance, deps: QueryDeps): Promise<void> {
  const { store } = deps;
  const read = { preHandler: deps.requireScope('read') };
  const write = { preHandler: deps.requireScope('write') };
  let overviewCache: { at: number; body: unknown } | null = null;
  const sparkWindows = new HistoryWindows(SPARK_DAYS);

  app.get('/v1/overview', read, async () => {
    const now = Date.now();
    if (overviewCache && now - overviewCache.at < deps.overviewCacheMs) return overviewCache.body;
    // counts, not a read of every account: the overview must stay fast with many accounts
    const healthColl = store.collection<HealthDoc>('health');
    const bandNames = ['healthy', 'watch', 'at-risk', 'critical'];
    const [bandCounts, histogram, latest] = await Promise.all([
      Promise.all(bandNames.map((band) => healthColl.count({ band }))),
      Promise.all(Array.from({ length: 10 }, (_, i) => healthColl.count({ score: i === 9 ? { $gte: 90 } : { $gte: i * 10, $lt: i * 10 + 10 } }))),
      healthColl.find({}, { sort: [['updatedAt', -1]], limit: 1 }),
    ]);
    const byBand = Object.fromEntries(bandNames.map((b, i) => [b, bandCounts[i]!])) as Record<string, number>;
    const accountsTotal = bandCounts.reduce((a, b) => a + b, 0);
    const asOf = latest[0]?.updatedAt ?? 0;
    const incidents = store.collection('incidents');
    const outreach = store.collection('outreach');
    const [open, total, oNew, oContacted, oResolved, oDismissed, esc] = await Promise.all([
      incidents.count({ status: 'open' }),
      incidents.count({}),
      outreach.count({ status: 'new' }),
      outreach.count({ status: 'contacted' }),
      outreach.count({ status: 'resolved' }),
      outreach.count({ status: 'dismissed' }),
      store.collection<{ _id: string; summary: { overall: unknown } }>('kv').get('escalation'),
    ]);
    const body = {
      asOf,
      accounts: { total: accountsTotal, byBand },
      scoreHistogram: histogram,
      incidents: { open, total },
      outreach: { new: oNew, contacted: oContacted, resolved: oResolved, dismissed: oDismissed },
      escalation: esc?.summary.overall ?? null,
      alerts: await deps.alerts.stats(),
      pipeline: deps.pipelineStats?.() ?? null,
    };
    overviewCache = { at: now, body };
    return body;
  });

  app.get('/v1/health', read, async (req, reply) => {
    const parsed = healthQuery.safeParse(req.query);
    if (!parsed.success) {
      const { field, reason } = zodMessage(parsed.error);
      return reply.code(400).send(badRequest(`${field}: ${reason}`, field));
    }
    const q = parsed.data;
    const filter: Filter = {};
    if (q.band) filter.band = q.band;
    if (q.tier) filter.tier = q.tier;
    const field = q.sort.replace('-', '');
    const dir = q.sort.startsWith('-') ? -1 : 1;
    const coll = store.collection<HealthDoc>('health');
    const [items, total] = await Promise.all([
      coll.find(filter, { sort: [[field, dir], ['accountId', 1]], limit: q.limit, skip: q.offset }),
      coll.count(filter),
    ]);
    const asOf = items.reduce((m, h) => Math.max(m, h.updatedAt), 0);
    const history = items.length ? await historyOf(store, items.map((h) => h.accountId), sparkWindows.endingAt(asOf)) : new Map();
    return {
      total,
      offset: q.offset,
      limit: q.limit,
      items: items.map((h) => {
        const pts = history.get(h.accountId) ?? [];
        return {
          accountId: h.accountId,
          name: h.name,
          tier: h.tier,
          arr: h.arr,
          score: h.score,
          band: h.band,
          priority: h.priority,
          topReasons: h.topReasons,
          spark: {
            score: pts.map((p: HistoryPoint) => p.score),
            sentiment: pts.map((p: HistoryPoint) => p.sentiment ?? 0),
            tickets: pts.map((p: HistoryPoint) => p.tickets ?? 0),
          },
        };
      }),
    };
  });

  const healthAnswer = healthAnswers(store, { redactIps: deps.redactIps, historyDays: ACCOUNT_HISTORY_DAYS });
  app.get<{ Params: { id: string } }>('/v1/accounts/:id/health', read, (req, reply) => {
    const id = req.params.id;
    // from the embedded store the answer is ready at once: no promise per request
    const now = healthAnswer.answerLent(id);
    if (now !== undefined) return void sendHealth(reply, id, now);
    return healthAnswer.answer(id).then((body) => sendHealth(reply, id, body));
  });

  app.get<{ Querystring: { status?: string; limit?: string } }>('/v1/incidents', read, async (req, reply) => {
    const status = req.query.status;
    if (status && status !== 'open' && status !== 'resolved') return reply.code(400).send(badRequest('status: expected open or resolved', 'status'));
    const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 100) || 100));
    const items = await store.collection<IncidentDoc>('incidents').find(status ? { status } : {}, { sort: [['openedAt', -1]], limit });
    return {
      items: items.map((i) => ({
        id: i._id,
        clusterId: i.clusterId,
        template: i.template,
        status: i.status,
        severity: i.severity,
        openedAt: i.openedAt,
        updatedAt: i.updatedAt,
        resolvedAt: i.resolvedAt,
        accountsAffected: i.accountsAffected,
        peakCount: i.peakCount,
        baseline: i.baseline,
      })),
    };
  });

  app.get<{ Params: { id: string } }>('/v1/incidents/:id', read, async (req, reply) => {
    const i = await store.collection<IncidentDoc>('incidents').get(req.params.id);
    if (!i) return reply.code(404).send({ error: 'not_found', message: `incident ${req.params.id} not found` });
    const { _id, ...rest } = i;
    return { ...rest, id: _id, samples: i.samples.map((s) => redact(s, { ips: deps.redactIps })) };
  });

  app.get<{ Querystring: { status?: string } }>('/v1/outreach', read, async (req, reply) => {
    const status = req.query.status;
    const statuses = ['new', 'contacted', 'resolved', 'dismissed'];
    if (status && !statuses.includes(status)) return reply.code(400).send(badRequest(`status: expected one of ${statuses.join(', ')}`, 'status'));
    const entries = await store.collection<OutreachDoc>('outreach').find(status ? { status } : { status: { $in: ['new', 'contacted'] } }, { sort: [['priority', -1]], limit: 500 });
    const health = await store.collection<HealthDoc>('health').getMany([...new Set(entries.map((e) => e.accountId))]);
    const byId = new Map(health.map((h) => [h.accountId, h]));
    return {
      items: entries.map((e) => {
        const h = byId.get(e.accountId);
        const { _id, ...rest } = e;
        return { ...rest, id: _id, name: h?.name ?? e.accountId, tier: h?.tier ?? 'starter', score: h?.score ?? null, band: h?.band ?? null };
      }),
    };
  });

  app.post<{ Params: { id: string } }>('/v1/outreach/:id/outcome', write, async (req, reply) => {
    const parsed = outcomeBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      const { field, reason } = zodMessage(parsed.error);
      return reply.code(400).send(badRequest(`${field}: ${reason}`, field));
    }
    const updated = await deps.recordOutcome(req.params.id, parsed.data);
    if (!updated) return reply.code(404).send({ error: 'not_found', message: `outreach entry ${req.params.id} not found` });
    const { _id, ...rest } = updated;
    return { ...rest, id: _id };
  });

  app.get<{ Querystring: { limit?: string } }>('/v1/clusters', read, async (req) => {
    const limit = Math.min(1000, Math.max(1, Number(req.query.limit ?? 100) || 100));
    const items = await store.collection<{ _id: string; template: string; count: number; accounts: number; firstSeen: number; lastSeen: number }>('clusters').find({}, { sort: [['count', -1]], limit });
    return { items: items.map(({ _id, ...c }) => ({ id: _id, ...c })) };
  });

  app.get<{ Querystring: { status?: string; limit?: string } }>('/v1/alerts', read, async (req, reply) => {
    const statuses = ['pending', 'sending', 'sent', 'failed', 'held', 'released', 'suppressed', 'superseded'];
    const status = req.query.status;
    if (status && !statuses.includes(status)) return reply.code(400).send(badRequest(`status: expected one of ${statuses.join(', ')}`, 'status'));
    const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 100) || 100));
    const [items, stats] = await Promise.all([deps.alerts.list({ ...(status ? { status: status as never } : {}), limit }), deps.alerts.stats()]);
    return { stats, items: items.map(({ _id, ...a }) => ({ id: _id, ...a })) };
  });

  app.get('/v1/escalation', read, async () => {
    const doc = await store.collection<{ _id: string; summary: unknown }>('kv').get('escalation');
    return doc?.summary ?? { overall: null, byCategory: {}, byAccount: [] };
  });
}
