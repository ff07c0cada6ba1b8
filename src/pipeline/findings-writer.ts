// Turns engine output into what people see: incident documents and their alerts, account health
// documents with daily history, the outreach list, and account alerts. Idempotent, so a replay
// after a crash rewrites the same documents and the outbox's dedupe keys stop repeat alerts; the
// per-account memory it decides alerts and outreach with is checkpointed with the engine state.
import type { Account } from '../events/types.js';
import type { Store } from '../store/repository.js';
import type { VigilConfig } from '../config/schema.js';
import type { SpikeFinding } from '../engines/detect/spike-tracker.js';
import { explainHealth, measureHealth, readHealthInputs, HealthInputs, type HealthResult } from '../engines/health/health-score.js';
import { DAY_MS, setIncidentExposure, advanceTo } from '../engines/health/account-state.js';
import { decideOutreach, type LazyHealth, type OutreachEntry } from '../engines/health/outreach.js';
import type { LearnerModel } from '../engines/health/learner.js';
import type { AlertInput } from '../alerts/alert-types.js';
import type { EngineSet } from './engine-set.js';
import { putOwned } from '../store/memory/memory-store.js';

export interface AlertQueue {
  enqueue(alert: AlertInput): Promise<boolean>;
  /** Several alerts in order with one write (the outbox); without it they go one by one. */
  enqueueMany?(alerts: AlertInput[]): Promise<boolean[]>;
}

export interface IncidentDoc {
  _id: string;
  id: string;
  clusterId: string;
  template: string;
  status: 'open' | 'resolved';
  severity: string;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  accountsAffected: number;
  peakCount: number;
  baseline: number;
  ratio: number;
  timeline: Array<{ at: number; kind: string; count: number; accounts: number }>;
  series: Array<{ t: number; count: number; baseline: number }>;
  affectedAccounts: Array<{ accountId: string; name: string; tier: string; count: number }>;
  samples: string[];
}

export interface HealthDoc extends HealthResult {
  _id: string;
  name: string;
  tier: string;
  arr: number;
  updatedAt: number;
  openIncidents: string[];
}

export interface OutreachDoc extends OutreachEntry {
  _id: string;
  /** Wall time an operator last recorded an outcome through the API (absent when never). */
  outcomeRecordedAt?: number;
  note?: string;
}

/** What the writer remembers of one account between evaluations: checkpointed with the account's record. */
export interface AccountMemory {
  band?: string;
  score?: number;
  outreach?: OutreachDoc;
}

const TIER_ORDER = ['enterprise', 'growth', 'starter'] as const;
const BAND_RANK: Record<string, number> = { healthy: 0, watch: 1, 'at-risk': 2, critical: 3 };
/**
 * History month documents kept in memory between commits (about 2 KB each at the month's end):
 * every account's current month up to 20k accounts; beyond that some are read back before a write.
 */
const HISTORY_CACHE_DOCS = 20_000;
/** Series points kept on an incident document (one a bucket): enough for a day of 1-minute buckets at most. */
const MAX_SERIES_POINTS = 1440;

/**
 * Scoring inputs kept for reuse once their health document is built: an evaluation point reuses
 * one instead of allocating, and a day's end that scores every account keeps at most this many.
 */
const SPARE_INPUTS = 4096;

/**
 * An account's latest evaluation since the last commit: the inputs of its score, from which the
 * explained health document is built once, at the commit, however many times it was scored.
 */
interface PendingHealth {
  inputs: HealthInputs;
  account: Account | undefined;
  learner: LearnerModel | undefined;
  openIncidents: string[];
}

const NO_INCIDENTS: readonly string[] = Object.freeze([]);

/** An account's health on one day, as of its last scoring that day. */
interface DayPoint {
  score: number;
  band: string;
  sentiment: number | null;
  tickets: number;
}

/** The day points of one account's month gathered since the last commit. */
interface PendingMonth {
  accountId: string;
  month: string;
  /** By day field (`d01`..`d31`): a Map, as the field is a string built per evaluation and an object keyed by it interns it per lookup. */
  days: Map<string, DayPoint>;
}

/**
 * What the writer holds of one account: its memory between evaluations (checkpointed) and what
 * waits for the next commit, together, so a scoring finds all of it with one lookup.
 */
interface AccountSlot {
  readonly accountId: string;
  /** Band and score of its last scoring. */
  last: { band: string; score: number } | undefined;
  /** Its outreach entry as last decided or changed through the API. */
  outreach: OutreachDoc | undefined;
  /** Its latest scoring since the last commit. */
  pending: PendingHealth | undefined;
  /** Its day points since the last commit (of its latest month). */
  history: PendingMonth | undefined;
}

/** A day as history names it: `2026-10-05`, its month `2026-10` and its field in the month document `d05`. */
interface DayNames {
  epochDay: number;
  day: string;
  month: string;
  dayField: string;
}

/** A month of one account's daily health points (`d01`..`d31`), as the query API reads it. */
interface HistoryMonthDoc {
  _id: string;
  accountId: string;
  month: string;
  [day: string]: unknown;
}

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface FindingsWriterDeps {
  store: Store;
  config: VigilConfig;
  engines: EngineSet;
  accountOf: (id: string) => Account | undefined;
  alerts: AlertQueue;
  learner: () => LearnerModel | undefined;
  publicUrl: string;
}

export class FindingsWriter {
  private readonly openIncidents = new Map<string, IncidentDoc>();
  private readonly slots = new Map<string, AccountSlot>();
  /** Accounts scored since the last commit, in order: one health document each, however many days a step closed. */
  private pendingHealth: AccountSlot[] = [];
  private readonly spareInputs: HealthInputs[] = [];
  /**
   * Open incident ids by affected account, in the order of openIncidents: what a health document
   * lists. Rebuilt after incidents change (rare) instead of a scan of every open incident per scoring.
   */
  private incidentsByAccount: Map<string, string[]> | null = null;
  /**
   * The scoring writeHealth is at, and the reading handed to the outreach decision: one object
   * reused for every scoring, its explanation built only if the decision asks for it.
   */
  private readonly current: { inputs: HealthInputs | null; account: Account | undefined; learner: LearnerModel | undefined; explained: HealthResult | undefined } = {
    inputs: null,
    account: undefined,
    learner: undefined,
    explained: undefined,
  };
  private readonly reading: LazyHealth = { accountId: '', score: 0, band: 'healthy', sentiment: null, ticketsToday: 0, explained: () => this.explainCurrent() };
  /** Accounts with day points since the last commit, in order (the points are in their slots). */
  private pendingHistory: AccountSlot[] = [];
  /** Months an account's history moved on from since the last commit (a commit spanning a month's end). */
  private pendingEarlierMonths: PendingMonth[] = [];
  private readonly pendingOutreach = new Map<string, OutreachDoc>();
  /**
   * Alerts go to the outbox in order, off the step's path (each enqueue is several store round
   * trips); `commit` waits for them, and the processor commits before it checkpoints, so no alert
   * of a checkpointed event is ever missing.
   */
  private alertChain: Promise<void> = Promise.resolve();
  /** Alerts waiting for the chain: handed over together, as many as came while the last batch was stored. */
  private alertBatch: AlertInput[] = [];
  /** Month documents of the history as last written, so a new day point is not a read of the month first. */
  private readonly historyCache = new Map<string, HistoryMonthDoc>();
  private alertError: unknown = null;
  private lastDayNames: DayNames | undefined;

  constructor(private readonly d: FindingsWriterDeps) {}

  private slot(accountId: string): AccountSlot {
    let slot = this.slots.get(accountId);
    if (!slot) {
      slot = { accountId, last: undefined, outreach: undefined, pending: undefined, history: undefined };
      this.slots.set(accountId, slot);
    }
    return slot;
  }

  /**
   * Loads the open incidents from the store; with `memory` (from the checkpoint) the bands and
   * outreach entries come from there, as they were at the checkpoint, not from the store, whose
   * documents may be ahead of it after a crash. Outcomes an operator recorded since are kept.
   */
  async load(memory?: Map<string, AccountMemory>): Promise<void> {
    const { store } = this.d;
    for (const inc of await store.collection<IncidentDoc>('incidents').find({ status: 'open' })) this.openIncidents.set(inc._id, inc);
    this.incidentsByAccount = null;
    const entries = await store.collection<OutreachDoc>('outreach').find({}, { sort: [['updatedAt', 1]] });
    if (!memory) {
      for (const h of await store.collection<HealthDoc>('health').find({})) this.slot(h.accountId).last = { band: h.band, score: h.score };
      for (const e of entries) this.slot(e.accountId).outreach = e;
      return;
    }
    for (const [accountId, m] of memory) {
      if (m.band !== undefined && m.score !== undefined) this.slot(accountId).last = { band: m.band, score: m.score };
      if (m.outreach) this.slot(accountId).outreach = m.outreach;
    }
    for (const e of entries) {
      const mine = this.slots.get(e.accountId)?.outreach;
      if (e.outcomeRecordedAt !== undefined && e.outcomeRecordedAt > (mine?.outcomeRecordedAt ?? -1)) this.slot(e.accountId).outreach = e;
    }
  }

  /** The account's memory, for the checkpoint. */
  memoryOf(accountId: string): AccountMemory {
    const slot = this.slots.get(accountId);
    const b = slot?.last;
    const o = slot?.outreach;
    return { ...(b ? { band: b.band, score: b.score } : {}), ...(o ? { outreach: o } : {}) };
  }

  /** Forgets an outreach entry's cached copy after the API changed it. */
  outreachChanged(entry: OutreachDoc): void {
    this.slot(entry.accountId).outreach = entry;
    this.d.engines.dirty.add(entry.accountId);
  }

  private enqueueAlert(alert: AlertInput): void {
    this.alertBatch.push(alert);
    // a batch is already waiting in the chain: this alert goes with it
    if (this.alertBatch.length > 1) return;
    this.alertChain = this.alertChain.then(
      () => this.handOver(),
      () => undefined,
    ).catch((err: unknown) => {
      this.alertError ??= err;
    });
  }

  /** Hands the waiting alerts to the outbox, in order. */
  private async handOver(): Promise<void> {
    const batch = this.alertBatch;
    this.alertBatch = [];
    const queue = this.d.alerts;
    if (queue.enqueueMany) await queue.enqueueMany(batch);
    else for (const a of batch) await queue.enqueue(a);
  }

  /** Waits for the alerts handed to the outbox so far; rethrows the first failure. */
  async settleAlerts(): Promise<void> {
    await this.alertChain;
    const err = this.alertError;
    this.alertError = null;
    if (err) throw err;
  }

  async writeIncidents(findings: SpikeFinding[]): Promise<void> {
    if (findings.length === 0) return;
    const { engines, store } = this.d;
    // the affected accounts change below (nothing in between reads the index): rebuilt on its next use
    this.incidentsByAccount = null;
    const changed = new Map<string, IncidentDoc>();
    /** Incidents not in the store yet: inserted, which FerretDB does without reading the collection (a replace reads much of it). */
    const created = new Set<string>();
    for (const f of findings) {
      let doc = this.openIncidents.get(f.incidentId) ?? (await store.collection<IncidentDoc>('incidents').get(f.incidentId));
      if (!doc) {
        doc = this.newIncident(f);
        created.add(doc._id);
      }
      const seen = doc.timeline.some((t) => t.at === f.at && t.kind === f.kind);
      if (!seen) doc.timeline.push({ at: f.at, kind: f.kind, count: f.count, accounts: f.accounts.length });
      doc.updatedAt = Math.max(doc.updatedAt, f.at);
      doc.severity = f.severity;
      doc.peakCount = Math.max(doc.peakCount, f.count);
      doc.baseline = f.baseline;
      doc.ratio = f.ratio;
      const clusterId = engines.miner.resolve(f.clusterId);
      doc.template = engines.miner.get(clusterId)?.template ?? doc.template;
      this.mergeSeries(doc, f.series);
      this.mergeAccounts(doc, f.accounts);
      doc.samples = engines.clusters.get(clusterId)?.samples ?? doc.samples;
      if (f.kind === 'resolved') {
        doc.status = 'resolved';
        doc.resolvedAt = f.at;
        this.openIncidents.delete(doc._id);
      } else this.openIncidents.set(doc._id, doc);
      // opened/grew expose the accounts of the finding; a resolution clears every account the
      // incident listed (the finding's own accounts were merged into that list above)
      const open = f.kind !== 'resolved';
      for (const a of open ? f.accounts : doc.affectedAccounts) {
        const rec = engines.records.get(a.accountId);
        if (!rec) continue;
        setIncidentExposure(rec.state, doc._id, open, f.at);
        engines.touched.add(a.accountId);
        engines.dirty.add(a.accountId);
      }
      changed.set(doc._id, doc);
      this.enqueueAlert(this.incidentAlert(doc, f));
    }
    // One atomic replace each, not putMany: on FerretDB putMany deletes and re-inserts, and an open
    // incident lost to a crash in between is not rebuilt by the replay (its opening is before the checkpoint).
    const incidents = store.collection<IncidentDoc>('incidents');
    const fresh = [...changed.values()].filter((d) => created.has(d._id));
    // one stored meanwhile (not by this writer, which alone writes incidents) is replaced after all
    const { duplicates } = await incidents.insertNew(fresh);
    const again = new Set(duplicates);
    await Promise.all([...changed.values()].filter((d) => !created.has(d._id) || again.has(d._id)).map((doc) => incidents.put(doc)));
  }

  private newIncident(f: SpikeFinding): IncidentDoc {
    return {
      _id: f.incidentId,
      id: f.incidentId,
      clusterId: f.clusterId,
      template: '',
      status: 'open',
      severity: f.severity,
      openedAt: f.at,
      updatedAt: f.at,
      resolvedAt: null,
      accountsAffected: 0,
      peakCount: 0,
      baseline: f.baseline,
      ratio: f.ratio,
      timeline: [],
      series: [],
      affectedAccounts: [],
      samples: [],
    };
  }

  private mergeSeries(doc: IncidentDoc, series: SpikeFinding['series']): void {
    const byT = new Map(doc.series.map((p) => [p.t, p]));
    for (const p of series) byT.set(p.t, { t: p.t, count: p.count, baseline: p.baseline });
    doc.series = [...byT.values()].sort((a, b) => a.t - b.t).slice(-MAX_SERIES_POINTS);
  }

  private mergeAccounts(doc: IncidentDoc, accounts: SpikeFinding['accounts']): void {
    const byId = new Map(doc.affectedAccounts.map((a) => [a.accountId, a]));
    for (const a of accounts) {
      const acc = this.d.accountOf(a.accountId);
      const prev = byId.get(a.accountId);
      byId.set(a.accountId, {
        accountId: a.accountId,
        name: acc?.name ?? a.accountId,
        tier: acc?.tier ?? 'starter',
        count: Math.max(prev?.count ?? 0, a.count),
      });
    }
    doc.affectedAccounts = [...byId.values()].sort((a, b) => b.count - a.count || a.accountId.localeCompare(b.accountId));
    doc.accountsAffected = doc.affectedAccounts.length;
  }

  private incidentAlert(doc: IncidentDoc, f: SpikeFinding): AlertInput {
    const kind = f.kind === 'opened' ? 'incident.opened' : f.kind === 'grew' ? 'incident.grew' : 'incident.resolved';
    return {
      dedupeKey: `${doc._id}:${f.kind}:${f.at}`,
      kind,
      threadKey: doc._id,
      severity: f.severity,
      // the most important affected account decides tier routing (e.g. an enterprise channel)
      tier: TIER_ORDER.find((t) => doc.affectedAccounts.some((a) => a.tier === t)),
      createdAt: f.at,
      payload: {
        incidentId: doc._id,
        clusterId: doc.clusterId,
        template: doc.template,
        count: f.count,
        baseline: f.baseline,
        ratio: f.ratio,
        accountsAffected: doc.accountsAffected,
        topAccounts: doc.affectedAccounts.slice(0, 5),
        firstSeen: doc.openedAt,
        samples: doc.samples.slice(0, 3),
        links: {
          api: `${this.d.publicUrl}/v1/incidents/${encodeURIComponent(doc._id)}`,
          dashboard: `${this.d.publicUrl}/#/incident/${encodeURIComponent(doc._id)}`,
        },
      },
    } as AlertInput;
  }

  /** The open incidents listing the account, in openIncidents order (shared arrays: never changed in place). */
  private openIncidentsOf(accountId: string): string[] {
    if (this.openIncidents.size === 0) return NO_INCIDENTS as string[];
    let index = this.incidentsByAccount;
    if (!index) {
      index = new Map();
      for (const inc of this.openIncidents.values()) {
        for (const a of inc.affectedAccounts) {
          const list = index.get(a.accountId);
          // an account listed twice by one incident is listed once (a filter over incidents was the rule)
          if (!list) index.set(a.accountId, [inc._id]);
          else if (list[list.length - 1] !== inc._id) list.push(inc._id);
        }
      }
      this.incidentsByAccount = index;
    }
    return index.get(accountId) ?? (NO_INCIDENTS as string[]);
  }

  /**
   * Rescores the given accounts at event time `nowMs` and writes history, outreach and alerts; the
   * explained health document is built at the commit from the last scoring's inputs.
   */
  async writeHealth(accountIds: Iterable<string>, nowMs: number): Promise<number> {
    const { engines, config } = this.d;
    const cfg = config.health;
    let scored = 0;
    const alerts: AlertInput[] = [];
    const learner = this.d.learner();
    const { day, month, dayField } = this.dayNames(nowMs);
    for (const accountId of accountIds) {
      const rec = engines.records.get(accountId);
      if (!rec) continue;
      advanceTo(rec.state, nowMs, cfg);
      // the record (advanced) and the writer's memory of the account are checkpointed together
      engines.dirty.add(accountId);
      const account = this.d.accountOf(accountId);
      const slot = this.slot(accountId);
      let pending = slot.pending;
      if (!pending) {
        pending = { inputs: this.spareInputs.pop() ?? new HealthInputs(), account, learner, openIncidents: NO_INCIDENTS as string[] };
        slot.pending = pending;
        this.pendingHealth.push(slot);
      }
      const inputs = readHealthInputs(rec.state, nowMs, cfg, pending.inputs);
      pending.account = account;
      pending.learner = learner;
      pending.openIncidents = this.openIncidentsOf(accountId);
      const h = measureHealth(inputs, cfg, learner, this.reading);
      // the explanation of this very scoring, built when an alert or an outreach entry needs it
      const cur = this.current;
      cur.inputs = inputs;
      cur.account = account;
      cur.learner = learner;
      cur.explained = undefined;
      scored++;
      let hist = slot.history;
      if (!hist) this.pendingHistory.push(slot);
      else if (hist.month !== month) {
        this.pendingEarlierMonths.push(hist);
        hist = undefined;
      }
      if (!hist) {
        hist = { accountId, month, days: new Map() };
        slot.history = hist;
      }
      // a day point not committed yet is this writer's alone: a later scoring the same day updates it
      const point = hist.days.get(dayField);
      if (point) {
        point.score = h.score;
        point.band = h.band;
        point.sentiment = h.sentiment;
        point.tickets = h.ticketsToday;
      } else hist.days.set(dayField, { score: h.score, band: h.band, sentiment: h.sentiment, tickets: h.ticketsToday });
      const prev = slot.last;
      if (prev && BAND_RANK[h.band]! > BAND_RANK[prev.band]! && BAND_RANK[h.band]! >= BAND_RANK['at-risk']!) {
        const full = this.explainCurrent();
        alerts.push({
          dedupeKey: `account:${accountId}:${h.band}:${day}`,
          kind: 'account.alert',
          tier: account?.tier,
          band: h.band,
          createdAt: nowMs,
          payload: {
            accountId,
            name: account?.name ?? accountId,
            tier: account?.tier ?? 'starter',
            score: h.score,
            previousScore: prev.score,
            band: h.band,
            previousBand: prev.band,
            topReasons: full.topReasons,
            owner: account?.owner ?? null,
            suggestedAction: full.suggestedAction,
            link: `${this.d.publicUrl}/#/account/${encodeURIComponent(accountId)}`,
          },
        } as AlertInput);
      }
      if (prev) {
        prev.band = h.band;
        prev.score = h.score;
      } else slot.last = { band: h.band, score: h.score };
      const decision = decideOutreach(slot.outreach, this.reading, account, nowMs, cfg);
      if (decision.change !== 'none' && decision.entry) {
        // 'tracked' only moves a closed entry's bookkeeping: saved, not announced
        const prevDoc = slot.outreach;
        const doc = { ...decision.entry, _id: decision.entry.id } as OutreachDoc;
        if (prevDoc?.outcomeRecordedAt !== undefined) doc.outcomeRecordedAt = prevDoc.outcomeRecordedAt;
        if (prevDoc?.note !== undefined) doc.note = prevDoc.note;
        slot.outreach = doc;
        this.pendingOutreach.set(doc._id, doc);
      }
    }
    this.current.inputs = null;
    this.current.account = undefined;
    this.current.explained = undefined;
    for (const a of alerts) this.enqueueAlert(a);
    return scored;
  }

  /**
   * The calendar names of the day of `nowMs` (formatted once a day, not at every evaluation period):
   * the same strings each time, so the keys built from them hash once.
   */
  private dayNames(nowMs: number): DayNames {
    const epochDay = Math.floor(nowMs / DAY_MS);
    let names = this.lastDayNames;
    if (names?.epochDay !== epochDay) {
      const day = dayOf(nowMs);
      names = { epochDay, day, month: day.slice(0, 7), dayField: `d${day.slice(8, 10)}` };
      this.lastDayNames = names;
    }
    return names;
  }

  /** The explanation of the scoring writeHealth is at (built once). */
  private explainCurrent(): HealthResult {
    const cur = this.current;
    return (cur.explained ??= explainHealth(cur.inputs!, cur.account, this.d.config.health, cur.learner));
  }

  /** The explained health documents of the accounts scored since the last commit (their inputs go back to the spares). */
  private takeHealthDocs(): HealthDoc[] {
    const cfg = this.d.config.health;
    const docs: HealthDoc[] = [];
    const slots = this.pendingHealth;
    this.pendingHealth = [];
    for (const slot of slots) {
      const accountId = slot.accountId;
      const p = slot.pending!;
      slot.pending = undefined;
      const h = explainHealth(p.inputs, p.account, cfg, p.learner);
      const account = p.account;
      // Spelled out rather than spread (same fields, same order): object spread was a hot spot here.
      docs.push({
        accountId: h.accountId,
        score: h.score,
        band: h.band,
        components: h.components,
        priority: h.priority,
        priorityReasons: h.priorityReasons,
        topReasons: h.topReasons,
        suggestedAction: h.suggestedAction,
        features: h.features,
        sentiment: h.sentiment,
        ticketsToday: h.ticketsToday,
        trends: h.trends,
        _id: accountId,
        name: account?.name ?? accountId,
        tier: account?.tier ?? 'starter',
        arr: account?.arr ?? 0,
        updatedAt: p.inputs.nowMs,
        openIncidents: p.openIncidents,
      });
      if (this.spareInputs.length < SPARE_INPUTS) this.spareInputs.push(p.inputs);
    }
    return docs;
  }

  /** True when health, history or outreach writes wait for `commit`. */
  hasPending(): boolean {
    return this.pendingHealth.length > 0 || this.pendingHistory.length > 0 || this.pendingOutreach.size > 0;
  }

  /**
   * Writes the health, history and outreach documents gathered since the last commit and waits for
   * the alerts. Each collection is written whole documents at a time (a history month is read,
   * merged and written back) because a partial update costs FerretDB a read of the collection each.
   */
  async commit(): Promise<void> {
    const { store } = this.d;
    // taken before the first await: what later steps gather goes to the next commit
    const health = this.takeHealthDocs();
    const pendingHistory = this.pendingEarlierMonths;
    for (const slot of this.pendingHistory) {
      pendingHistory.push(slot.history!);
      slot.history = undefined;
    }
    const outreach = [...this.pendingOutreach.values()];
    this.pendingEarlierMonths = [];
    this.pendingHistory = [];
    this.pendingOutreach.clear();
    await Promise.all([
      this.writeHistory(pendingHistory),
      // built for this write and never changed after: the embedded store keeps them as they are
      putOwned(store.collection<HealthDoc>('health'), health),
      store.collection<OutreachDoc>('outreach').putMany(outreach),
    ]);
    await this.settleAlerts();
  }

  /** Merges the new day points into their month documents (cached; read once after a restart) and writes them whole. */
  private async writeHistory(pending: PendingMonth[]): Promise<void> {
    if (pending.length === 0) return;
    const coll = this.d.store.collection<HistoryMonthDoc>('healthHistory');
    if (this.historyCache.size + pending.length > HISTORY_CACHE_DOCS) this.historyCache.clear();
    const ids = pending.map((h) => `${h.accountId}|${h.month}`);
    const missing = ids.filter((id) => !this.historyCache.has(id));
    for (const d of await coll.getMany(missing)) this.historyCache.set(d._id, d);
    const merged: HistoryMonthDoc[] = pending.map((h, k) => {
      const id = ids[k]!;
      const doc: HistoryMonthDoc = { ...(this.historyCache.get(id) ?? {}), ...Object.fromEntries(h.days), _id: id, accountId: h.accountId, month: h.month };
      this.historyCache.set(id, doc);
      return doc;
    });
    // new month documents (a later day is a new one again): the embedded store keeps them as they are
    await putOwned(coll, merged);
  }

  /** Writes the clusters list and the escalation metrics (what the overview and clusters pages read). */
  async publish(): Promise<void> {
    const { engines, store } = this.d;
    const clusters = [...engines.clusters.entries()].map(([id, c]) => ({
      _id: id,
      template: engines.miner.get(id)?.template ?? '',
      count: c.count,
      accounts: c.accounts.length,
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
    }));
    await store.collection<(typeof clusters)[number]>('clusters').putMany(clusters);
    await store.collection<{ _id: string; summary: unknown }>('kv').put({ _id: 'escalation', summary: engines.escalation.summary() });
  }

  openIncidentCount(): number {
    return this.openIncidents.size;
  }
}

