// A stand-in Vigil API for dashboard tests and the dashboard bench: deterministic accounts, health,
// incidents and outreach in the shapes of the HTTP API contract, plus the built dashboard at `/`.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerDashboard } from '../../src/api/dashboard.js';
import { mulberry32 } from '../../src/engines/mulberry32.js';
// the fixture serves the dashboard's own contract types, so it cannot drift from what the page reads
import type { Band, HealthItem, IncidentItem, OutreachEntry, OutreachOutcome, OutreachStatus, Tier } from '../../web/src/api-types.js';


export interface FixtureOptions {
  accounts: number;
  seed?: number;
  /** When set, every /v1 request needs `Authorization: Bearer <token>` (read and write scopes). */
  token?: string;
  /** A second token with the read scope only: writes with it get 403. */
  readToken?: string;
  /** Directory of the built dashboard (default: the checkout's web/dist). */
  dashboardDir?: string;
}

export interface FixtureApi {
  url: string;
  app: FastifyInstance;
  asOf: number;
  openIncidentId: string;
  outreach: OutreachEntry[];
  /** What the data was made to show, for tests to look for. */
  truth: { souringAccountIds: string[]; spikeAccountIds: string[]; incidentTemplate: string };
  close(): Promise<void>;
}




const DAY = 86_400_000;
const HOUR = 3_600_000;
const HISTORY_DAYS = 90;
const SPARK_DAYS = 30;
const AS_OF = Date.UTC(2026, 10, 28, 12, 0, 0);
const FIRST = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Soylent', 'Cyberdyne', 'Wonka', 'Pied Piper', 'Aperture', 'Gringotts', 'Monarch', 'Nakatomi', 'Oscorp', 'Massive', 'Dunder'];
const SECOND = ['Labs', 'Systems', 'Health', 'Logistics', 'Retail', 'Capital', 'Media', 'Foods', 'Energy', 'Analytics', 'Travel', 'Robotics'];
const OWNERS = ['Maya Chen', 'Tom Okafor', 'Priya Raman', 'Lena Fischer', 'Diego Alvarez'];
const TIER_WEIGHT: Record<Tier, number> = { enterprise: 1, growth: 0.6, starter: 0.3 };

function rng(seed: number): () => number {
  return mulberry32(seed);
}

function bandOf(score: number): Band {
  if (score < 35) return 'critical';
  if (score < 55) return 'at-risk';
  if (score < 70) return 'watch';
  return 'healthy';
}

function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

interface AccountFixture {
  item: HealthItem;
  history: Array<{ day: string; score: number; band: Band; sentiment: number; tickets: number }>;
  renewalDate: string;
  owner: { name: string; slackUserId: string };
}

function makeAccounts(n: number, seed: number): AccountFixture[] {
  const rand = rng(seed);
  const out: AccountFixture[] = [];
  for (let i = 0; i < n; i++) {
    const tierRoll = rand();
    const tier: Tier = tierRoll < 0.15 ? 'enterprise' : tierRoll < 0.5 ? 'growth' : 'starter';
    const arr = Math.round((tier === 'enterprise' ? 150_000 : tier === 'growth' ? 40_000 : 6_000) * (0.5 + rand() * 1.5));
    // Most accounts are healthy; a tail sours over the last weeks.
    const final = Math.max(4, Math.min(99, 88 - Math.pow(rand(), 3) * 85 + (rand() - 0.5) * 10));
    const start = Math.min(98, final + (final < 55 ? 20 + rand() * 20 : (rand() - 0.5) * 10));
    const history: AccountFixture['history'] = [];
    for (let d = 0; d < HISTORY_DAYS; d++) {
      const frac = d / (HISTORY_DAYS - 1);
      const bend = frac < 0.6 ? 0 : (frac - 0.6) / 0.4;
      const score = Math.max(0, Math.min(100, start + (final - start) * bend + (rand() - 0.5) * 4));
      const sentiment = Math.max(-1, Math.min(1, (score - 55) / 60 + (rand() - 0.5) * 0.3));
      const tickets = Math.max(0, Math.round((100 - score) / 18 + rand() * 2 - 0.5));
      history.push({ day: dayString(AS_OF - (HISTORY_DAYS - 1 - d) * DAY), score: round(score, 1), band: bandOf(score), sentiment: round(sentiment), tickets });
    }
    const last = history[history.length - 1]!;
    const score = Math.round(last.score);
    const band = bandOf(score);
    const priority = round(((100 - score) * (0.4 + 0.6 * TIER_WEIGHT[tier]) * (1 + Math.log10(arr / 5000))) / 2.5, 1);
    const reasons: string[] = [];
    if (last.sentiment < -0.2) reasons.push(`Customer sentiment fell to ${last.sentiment.toFixed(2)} over the last 7 days`);
    if (last.tickets >= 3) reasons.push(`Ticket rate ${last.tickets}/day, ${Math.round(last.tickets / 1.2)}x its 30-day baseline`);
    if (band === 'critical') reasons.push('3 escalations in 14 days, 2 reopened');
    if (reasons.length === 0) reasons.push(band === 'healthy' ? 'Stable: no negative signals' : 'Slightly more tickets than usual');
    const owner = { name: OWNERS[i % OWNERS.length]!, slackUserId: `U0${(1000 + (i % OWNERS.length)).toString()}` };
    out.push({
      item: {
        accountId: `acc-${String(i + 1).padStart(5, '0')}`,
        name: `${FIRST[i % FIRST.length]} ${SECOND[Math.floor(i / FIRST.length) % SECOND.length]}${i >= FIRST.length * SECOND.length ? ` ${Math.floor(i / (FIRST.length * SECOND.length)) + 1}` : ''}`,
        tier,
        arr,
        score,
        band,
        priority,
        topReasons: reasons,
        spark: {
          score: history.slice(-SPARK_DAYS).map((h) => h.score),
          sentiment: history.slice(-SPARK_DAYS).map((h) => h.sentiment),
          tickets: history.slice(-SPARK_DAYS).map((h) => h.tickets),
        },
      },
      history,
      renewalDate: dayString(AS_OF + Math.round(rand() * 300 + 20) * DAY),
      owner,
    });
  }
  return out;
}

function makeIncidents(accounts: AccountFixture[]): { incidents: IncidentItem[]; affected: Map<string, AccountFixture[]> } {
  const pick = (from: number, count: number): AccountFixture[] => accounts.slice(from, from + count);
  const open: IncidentItem = {
    id: 'inc-checkout-timeout',
    clusterId: 'c-7f3a9e',
    template: 'PaymentGatewayTimeout: upstream <*> did not respond within <NUM> ms',
    status: 'open',
    severity: 'critical',
    openedAt: AS_OF - 5 * HOUR,
    updatedAt: AS_OF - 20 * 60_000,
    resolvedAt: null,
    accountsAffected: Math.min(accounts.length, 14),
    peakCount: 86,
    baseline: 3.2,
  };
  const resolved: IncidentItem[] = [
    {
      id: 'inc-sso-saml',
      clusterId: 'c-19bd02',
      template: 'SAML assertion rejected: clock skew of <NUM>s exceeds limit',
      status: 'resolved',
      severity: 'major',
      openedAt: AS_OF - 4 * DAY,
      updatedAt: AS_OF - 4 * DAY + 7 * HOUR,
      resolvedAt: AS_OF - 4 * DAY + 7 * HOUR,
      accountsAffected: Math.min(accounts.length, 6),
      peakCount: 31,
      baseline: 0.8,
    },
    {
      id: 'inc-export-csv',
      clusterId: 'c-a0c4f1',
      template: 'Export failed: CSV row <NUM> exceeds <NUM> columns',
      status: 'resolved',
      severity: 'minor',
      openedAt: AS_OF - 9 * DAY,
      updatedAt: AS_OF - 8 * DAY,
      resolvedAt: AS_OF - 8 * DAY,
      accountsAffected: Math.min(accounts.length, 4),
      peakCount: 12,
      baseline: 1.1,
    },
  ];
  const affected = new Map<string, AccountFixture[]>([
    [open.id, pick(0, open.accountsAffected)],
    [resolved[0]!.id, pick(20, resolved[0]!.accountsAffected)],
    [resolved[1]!.id, pick(40, resolved[1]!.accountsAffected)],
  ]);
  return { incidents: [open, ...resolved], affected };
}

function incidentDetail(inc: IncidentItem, affected: AccountFixture[]): Record<string, unknown> {
  const stepMs = 15 * 60_000;
  const start = inc.openedAt - 12 * HOUR;
  const end = inc.resolvedAt ?? AS_OF;
  const series: Array<{ t: number; count: number; baseline: number }> = [];
  const rand = rng(inc.openedAt);
  for (let t = start; t <= end + 2 * HOUR && t <= AS_OF; t += stepMs) {
    const inside = t >= inc.openedAt && (inc.resolvedAt == null || t < inc.resolvedAt);
    const rise = inside ? Math.min(1, (t - inc.openedAt) / (2 * HOUR)) : 0;
    const count = Math.round(inc.baseline * (0.6 + rand() * 0.8) + rise * inc.peakCount * (0.75 + rand() * 0.25));
    series.push({ t, count, baseline: inc.baseline });
  }
  const timeline = [
    { at: inc.openedAt, kind: 'opened', count: Math.round(inc.peakCount * 0.3), accounts: Math.max(1, Math.round(inc.accountsAffected * 0.35)) },
    { at: inc.openedAt + HOUR, kind: 'grew', count: Math.round(inc.peakCount * 0.7), accounts: Math.round(inc.accountsAffected * 0.7) },
    { at: inc.openedAt + 2 * HOUR, kind: 'grew', count: inc.peakCount, accounts: inc.accountsAffected },
    ...(inc.resolvedAt ? [{ at: inc.resolvedAt, kind: 'resolved', count: Math.round(inc.baseline), accounts: inc.accountsAffected }] : []),
  ];
  return {
    ...inc,
    timeline,
    series,
    affectedAccounts: affected.map((a, i) => ({ accountId: a.item.accountId, name: a.item.name, tier: a.item.tier, count: Math.max(1, Math.round(inc.peakCount / (i + 2))) })),
    samples: [
      inc.template.replace('<*>', 'pay-eu-2.internal').replace('<NUM>', '30000'),
      inc.template.replace('<*>', 'pay-us-1.internal').replace('<NUM>', '30000'),
    ],
  };
}

function makeOutreach(accounts: AccountFixture[]): OutreachEntry[] {
  const ranked = [...accounts].filter((a) => a.item.band === 'critical' || a.item.band === 'at-risk').sort((a, b) => b.item.priority - a.item.priority);
  return ranked.slice(0, 12).map((a, i) => ({
    id: `out-${a.item.accountId}`,
    accountId: a.item.accountId,
    name: a.item.name,
    tier: a.item.tier,
    priority: a.item.priority,
    score: a.item.score,
    band: a.item.band,
    reasons: a.item.topReasons,
    owner: i % 5 === 4 ? null : a.owner,
    action: a.item.band === 'critical' ? 'Call the account owner today; review the last escalations together' : 'Check in by email about the recent tickets',
    status: i >= 10 ? 'contacted' : 'new',
    outcome: null,
    createdAt: AS_OF - (i + 1) * HOUR,
    updatedAt: AS_OF - (i + 1) * HOUR,
  }));
}

function accountHealth(a: AccountFixture, incidents: IncidentItem[], affected: Map<string, AccountFixture[]>): Record<string, unknown> {
  const last = a.history[a.history.length - 1]!;
  const it = a.item;
  const components = [
    { name: 'sentiment', value: last.sentiment, weight: 0.3, contribution: round(last.sentiment * 30, 1), sentence: `Customer messages read ${last.sentiment < -0.05 ? 'negative' : last.sentiment > 0.05 ? 'positive' : 'neutral'} (${last.sentiment.toFixed(2)}) over the last 7 days.` },
    { name: 'ticketRate', value: last.tickets, weight: 0.25, contribution: round(-last.tickets * 3, 1), sentence: `${last.tickets} tickets a day against a usual 1.2.` },
    { name: 'escalations', value: it.band === 'critical' ? 3 : 0, weight: 0.2, contribution: it.band === 'critical' ? -14 : 0, sentence: it.band === 'critical' ? '3 tickets escalated to a human in 14 days; 2 of them reopened.' : 'No escalations in 14 days.' },
    { name: 'csat', value: it.score > 60 ? 4.5 : 2.8, weight: 0.15, contribution: it.score > 60 ? 6 : -8, sentence: it.score > 60 ? 'Recent CSAT 4.5 of 5.' : 'Recent CSAT 2.8 of 5, down from 4.1.' },
    { name: 'errors', value: 0.12, weight: 0.1, contribution: -3.5, sentence: 'Hit by 2 error clusters this week.' },
  ];
  const open = incidents.filter((inc) => inc.status === 'open' && (affected.get(inc.id) ?? []).some((x) => x.item.accountId === it.accountId));
  const tickets = [
    'The export keeps timing out and my team cannot close the month. This is the third time this week.',
    'Thanks, that fixed the login issue.',
    'Checkout fails with a gateway timeout for several of our customers. Please escalate.',
    'Can you tell me when the SSO fix ships? [email redacted]',
    'Still waiting on an answer here.',
  ];
  return {
    accountId: it.accountId,
    account: { accountId: it.accountId, name: it.name, tier: it.tier, arr: it.arr, renewalDate: a.renewalDate, churnRisk: it.band === 'critical', owner: a.owner },
    score: it.score,
    band: it.band,
    priority: it.priority,
    priorityReasons: it.topReasons,
    components,
    suggestedAction: it.band === 'critical' || it.band === 'at-risk' ? 'Call the account owner today; review the last escalations together' : 'No action needed',
    history: a.history,
    recentTickets: tickets.map((text, i) => ({ ticketId: `T-${4100 + i}`, at: AS_OF - (i + 1) * 5 * HOUR, type: i === 2 ? 'ticket.escalated' : 'ticket.message', author: 'customer', text, sentiment: [-0.62, 0.44, -0.51, 0.02, -0.2][i] ?? 0 })),
    recentErrors: [
      { clusterId: 'c-7f3a9e', template: 'PaymentGatewayTimeout: upstream <*> did not respond within <NUM> ms', at: AS_OF - 2 * HOUR },
      { clusterId: 'c-a0c4f1', template: 'Export failed: CSV row <NUM> exceeds <NUM> columns', at: AS_OF - 8 * DAY },
    ],
    openIncidents: open.map((inc) => ({ id: inc.id, template: inc.template })),
  };
}

const SORTS: Record<string, (a: HealthItem, b: HealthItem) => number> = {
  score: (a, b) => a.score - b.score || a.accountId.localeCompare(b.accountId),
  '-score': (a, b) => b.score - a.score || a.accountId.localeCompare(b.accountId),
  '-priority': (a, b) => b.priority - a.priority || a.accountId.localeCompare(b.accountId),
};
const MAX_LIMIT = 500;

export async function startFixtureApi(opts: FixtureOptions): Promise<FixtureApi> {
  const accounts = makeAccounts(opts.accounts, opts.seed ?? 7);
  const byId = new Map(accounts.map((a) => [a.item.accountId, a]));
  const items = accounts.map((a) => a.item);
  // Sorted once: the list endpoint then only filters and slices, as an indexed store would.
  const sorted = Object.fromEntries(Object.entries(SORTS).map(([k, cmp]) => [k, [...items].sort(cmp)])) as Record<string, HealthItem[]>;
  const { incidents, affected } = makeIncidents(accounts);
  const outreach = makeOutreach(accounts);
  const histogram = new Array<number>(10).fill(0);
  const byBand: Record<Band, number> = { healthy: 0, watch: 0, 'at-risk': 0, critical: 0 };
  for (const it of items) {
    histogram[Math.min(9, Math.floor(it.score / 10))]!++;
    byBand[it.band]++;
  }

  const escalationOverall = { tickets: items.length * 14, escalationRate: 0.184, aiResolutionRate: 0.637, reEscalationRate: 0.071, csatAtHandoff: 3.62, medianTimeToHumanMs: 23 * 60_000, firstContactResolutionRate: 0.702 };
  const app = Fastify({ logger: false });
  if (opts.token) {
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (!req.url.startsWith('/v1/')) return;
      const auth = req.headers.authorization;
      if (opts.readToken && auth === `Bearer ${opts.readToken}`) {
        if (req.method !== 'GET') return reply.code(403).send({ error: 'forbidden', message: 'this token lacks the "write" scope' });
        return;
      }
      if (auth !== `Bearer ${opts.token}`) return reply.code(401).send({ error: 'unauthorized', message: 'a bearer token is required' });
    });
  }
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/v1/overview', async () => {
    const counts: Record<OutreachStatus, number> = { new: 0, contacted: 0, resolved: 0, dismissed: 0 };
    for (const e of outreach) counts[e.status]++;
    return {
      asOf: AS_OF,
      accounts: { total: items.length, byBand },
      scoreHistogram: histogram,
      incidents: { open: incidents.filter((i) => i.status === 'open').length, total: incidents.length },
      outreach: counts,
      escalation: escalationOverall,
    };
  });
  app.get('/v1/escalation', async () => ({
    overall: escalationOverall,
    byCategory: {
      billing: { ...escalationOverall, tickets: Math.round(escalationOverall.tickets * 0.3), escalationRate: 0.26 },
      integrations: { ...escalationOverall, tickets: Math.round(escalationOverall.tickets * 0.25), escalationRate: 0.21, csatAtHandoff: 3.1 },
      'how-to': { ...escalationOverall, tickets: Math.round(escalationOverall.tickets * 0.45), escalationRate: 0.09, csatAtHandoff: 4.2 },
    },
    byAccount: [...items]
      .sort((a, b) => a.score - b.score)
      .slice(0, 5)
      .map((it, i) => ({ accountId: it.accountId, ...escalationOverall, tickets: 40 - i * 5, escalationRate: 0.5 - i * 0.05 })),
  }));
  app.get('/v1/health', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const sort = q.sort ?? '-priority';
    const list = sorted[sort];
    if (!list) return reply.code(400).send({ error: 'bad_request', message: `sort: expected one of ${Object.keys(SORTS).join(', ')}` });
    const limit = Math.min(MAX_LIMIT, Math.max(1, Number(q.limit ?? 50)));
    const offset = Math.max(0, Number(q.offset ?? 0));
    const filtered = q.band || q.tier ? list.filter((it) => (!q.band || it.band === q.band) && (!q.tier || it.tier === q.tier)) : list;
    return { total: filtered.length, offset, limit, items: filtered.slice(offset, offset + limit) };
  });
  app.get('/v1/accounts/:id/health', async (req, reply) => {
    const a = byId.get((req.params as { id: string }).id);
    if (!a) return reply.code(404).send({ error: 'not_found', message: 'unknown account' });
    const health = accountHealth(a, incidents, affected);
    // As the daemon does: recent tickets only on request (they cost an event-log query).
    const include = ((req.query as { include?: string }).include ?? '').split(',');
    return include.includes('tickets') ? health : { ...health, recentTickets: [] };
  });
  app.get('/v1/incidents', async (req) => {
    const status = (req.query as { status?: string }).status;
    return { items: incidents.filter((i) => !status || i.status === status) };
  });
  app.get('/v1/incidents/:id', async (req, reply) => {
    const inc = incidents.find((i) => i.id === (req.params as { id: string }).id);
    if (!inc) return reply.code(404).send({ error: 'not_found', message: 'unknown incident' });
    return incidentDetail(inc, affected.get(inc.id) ?? []);
  });
  app.get('/v1/outreach', async (req) => {
    const status = (req.query as { status?: string }).status;
    // As the daemon does: without a status, the open entries (new and contacted).
    return { items: outreach.filter((e) => (status ? e.status === status : e.status === 'new' || e.status === 'contacted')) };
  });
  app.post('/v1/outreach/:id/outcome', async (req, reply) => {
    const entry = outreach.find((e) => e.id === (req.params as { id: string }).id);
    if (!entry) return reply.code(404).send({ error: 'not_found', message: 'unknown outreach entry' });
    const body = (req.body ?? {}) as { status?: string; outcome?: string };
    if (!['contacted', 'resolved', 'dismissed'].includes(body.status ?? '')) return reply.code(400).send({ error: 'bad_request', message: 'status: expected contacted, resolved or dismissed' });
    if (body.outcome !== undefined && !['saved', 'churned', 'false_alarm'].includes(body.outcome)) return reply.code(400).send({ error: 'bad_request', message: 'outcome: expected saved, churned or false_alarm' });
    entry.status = body.status as OutreachStatus;
    entry.outcome = (body.outcome as OutreachOutcome | undefined) ?? entry.outcome;
    entry.updatedAt = Math.max(AS_OF, entry.updatedAt + 1);
    return entry;
  });
  app.get('/v1/clusters', async () => ({
    items: incidents.map((i) => ({ id: i.clusterId, template: i.template, count: i.peakCount * 5, accounts: i.accountsAffected, firstSeen: i.openedAt - DAY, lastSeen: i.updatedAt })),
  }));
  await registerDashboard(app, { root: opts.dashboardDir });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const truth = {
    souringAccountIds: items.filter((it) => it.band === 'critical' || it.band === 'at-risk').map((it) => it.accountId),
    spikeAccountIds: (affected.get(incidents[0]!.id) ?? []).map((a) => a.item.accountId),
    incidentTemplate: incidents[0]!.template,
  };
  return { url, app, asOf: AS_OF, openIncidentId: incidents[0]!.id, outreach, truth, close: () => app.close() };
}
