// The alerts outbox: every alert is stored under its dedupe key before anything is sent, already
// routed, redacted and threaded; cooldowns and grouping decided here keep a flapping incident quiet.
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Filter, Store } from '../store/repository.js';
import type { AlertsConfig } from './config.js';
import type { AlertDoc, AlertInput, AlertKind, AlertStatus, Band, IncidentPayload, AccountAlertPayload } from './alert-types.js';
import { alertMetrics, type AlertMetrics } from './alert-metrics.js';
import type { AlertLogger } from './alert-logger.js';
import { quietHoursEnd, route } from './routing.js';
import { redact } from './redact.js';
import { AlertIndex, isFinal, isIncidentKind as isIncident, type IndexedAlert } from './alert-index.js';
import { announceAlert } from './alert-feed.js';
import { AlertArchive } from './alert-archive.js';

export interface OutboxDeps {
  logger?: AlertLogger;
  registry?: Registry;
  /** Wall clock (quiet hours, backoff); event time comes from the alerts. */
  clock?: () => number;
}

export interface OutboxFilter {
  status?: AlertStatus | AlertStatus[];
  kind?: AlertKind | AlertKind[];
  /** Only alerts enqueued at or after this wall time (epoch ms). */
  since?: number;
  limit?: number;
}

export type OutboxStats = Record<AlertStatus, number> & { total: number };

const ALL_STATUSES: AlertStatus[] = ['pending', 'sending', 'sent', 'failed', 'held', 'released', 'suppressed', 'superseded'];
/** Statuses that stand for a message that was or will be posted. */
const LIVE: AlertStatus[] = ['pending', 'sending', 'sent'];
const BAND_RANK: Record<Band, number> = { healthy: 0, watch: 1, 'at-risk': 2, critical: 3 };
/** Statuses of an account alert that keep the account's next alert of the same band quiet. */
const COOLING: AlertStatus[] = ['pending', 'sending', 'sent', 'held', 'released'];
// list() without a limit: the API pages; this bounds one answer
const DEFAULT_LIST_LIMIT = 100;
/**
 * The kv document naming the outbox whose index is current: each outbox writes its own token there
 * before it reads the collection, so one that finds another token knows alerts were enqueued
 * elsewhere (the other daemon of an HA pair was active meanwhile) and reads the collection again.
 */
const INDEX_OWNER_ID = 'alerts:index-owner';

interface IndexOwnerDoc {
  _id: string;
  kind: 'alerts-index-owner';
  token: string;
  at: number;
}

function sortByCreatedAt<T extends { createdAt: number }>(docs: T[], direction: 1 | -1): T[] {
  return docs.sort((a, b) => direction * (a.createdAt - b.createdAt));
}

function groupKeyOf(alert: AlertInput): string {
  if (isIncident(alert.kind)) return `cluster:${(alert.payload as IncidentPayload).clusterId}`;
  if (alert.kind === 'account.alert') return `account:${(alert.payload as AccountAlertPayload).accountId}`;
  return alert.kind;
}

/** The payload as it is stored: every free-text sample redacted again, whatever the caller did. */
function storedPayload(alert: AlertInput, ips: boolean): AlertInput['payload'] {
  if (!isIncident(alert.kind)) return alert.payload;
  const p = alert.payload as IncidentPayload;
  return { ...p, template: redact(p.template, { ips }), samples: (p.samples ?? []).map((s) => redact(s, { ips })) };
}

/**
 * A new alert as the outbox first sees it: routed (channel and mention; '' when no route takes it),
 * nothing decided yet (pending, unthreaded, no attempt), its payload redacted.
 */
export function newAlertDoc(alert: AlertInput, r: ReturnType<typeof route>, now: number, ips: boolean): AlertDoc {
  return {
    _id: alert.dedupeKey,
    kind: alert.kind,
    status: 'pending',
    severity: alert.severity ?? null,
    tier: alert.tier ?? null,
    band: alert.band ?? (alert.kind === 'account.alert' ? (alert.payload as AccountAlertPayload).band : null),
    groupKey: groupKeyOf(alert),
    threadKey: alert.threadKey ?? null,
    threadRoot: null,
    channel: r?.channel ?? '',
    mention: r?.mention ?? null,
    createdAt: alert.createdAt,
    enqueuedAt: now,
    nextAttemptAt: now,
    holdUntil: null,
    releaseAt: null,
    attempts: 0,
    claims: 0,
    claimId: null,
    claimedBy: null,
    claimedAt: null,
    uncertain: false,
    sentAt: null,
    ts: null,
    postedChannel: null,
    threadTs: null,
    transport: null,
    error: null,
    reason: null,
    supersededBy: null,
    releasedInto: null,
    coalesced: 0,
    reopen: false,
    payload: storedPayload(alert, ips),
  };
}

export class Outbox {
  private readonly metrics: AlertMetrics | null;
  private readonly clock: () => number;
  private readonly alerts;
  /** The working collection and the archive together, for reads that may reach finished alerts. */
  private readonly all: AlertArchive;
  private readonly kv;
  /** Names this outbox in the index-owner document. */
  private readonly token = randomUUID();
  /** Recent alerts, read from the store once and kept current by this outbox's own writes; null: read it first. */
  private index: AlertIndex | null = null;
  /** Enqueues run one at a time: each decides from the index as the previous one left it. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Alerts of the batch being enqueued, decided and in the index but not stored yet: changed here, not in the store. */
  private readonly unstored = new Map<string, AlertDoc>();
  /**
   * Stored alerts as read (or written) during the batch being enqueued: each is read from the store
   * at most once per batch, not once per decision that looks at it (a step of incident updates looks
   * at the same group again and again). The sender may move one on during the batch, as it may
   * between any check and the insert.
   */
  private readonly checked = new Map<string, AlertDoc>();

  constructor(
    private readonly store: Store,
    private readonly cfg: AlertsConfig,
    private readonly deps: OutboxDeps = {},
  ) {
    this.metrics = alertMetrics(deps.registry);
    this.clock = deps.clock ?? Date.now;
    this.alerts = store.collection<AlertDoc>('alerts');
    this.all = new AlertArchive(store);
    this.kv = store.collection<IndexOwnerDoc>('kv');
  }

  /** Stores the alert; false when an alert with this dedupe key exists already. */
  async enqueue(alert: AlertInput): Promise<boolean> {
    return (await this.enqueueMany([alert]))[0]!;
  }

  /**
   * Stores the alerts in order, each decided as if those before it were stored already, with one
   * write for them all (the pipeline hands over a step's alerts at once). One answer per alert:
   * false for a dedupe key that exists already (or comes twice).
   */
  enqueueMany(alerts: AlertInput[]): Promise<boolean[]> {
    if (alerts.some((a) => !a.dedupeKey)) return Promise.reject(new TypeError('alert.dedupeKey: required'));
    const run = this.queue.then(() => this.enqueueNow(alerts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async enqueueNow(alerts: AlertInput[]): Promise<boolean[]> {
    try {
      return await this.decideAndStore(alerts);
    } catch (err) {
      // a write may have landed without its answer: the index is read again before the next decision
      this.index = null;
      throw err;
    } finally {
      this.unstored.clear();
      this.checked.clear();
    }
  }

  /** The index, read again when this outbox has none or another outbox has written since. */
  private async currentIndex(owner: IndexOwnerDoc | null): Promise<AlertIndex> {
    if (this.index && owner?.token === this.token) return this.index;
    this.index = null;
    await this.kv.put({ _id: INDEX_OWNER_ID, kind: 'alerts-index-owner', token: this.token, at: this.clock() });
    const c = this.cfg.cooldown;
    const index = AlertIndex.build(await this.all.find({}), Math.max(c.groupWindowMs, c.reopenThreadMs, c.accountRepeatMs));
    this.deps.logger?.debug({ token: this.token }, 'alert outbox index read from the store');
    this.index = index;
    return index;
  }

  private async decideAndStore(alerts: AlertInput[]): Promise<boolean[]> {
    // the index holds every stored id (its first read took them all, and whoever wrote since would
    // have named itself owner): one point read per batch, no lookup of each dedupe key
    const index = await this.currentIndex(this.index ? await this.kv.get(INDEX_OWNER_ID) : null);
    const ids: Array<string | null> = [];
    const batch: AlertDoc[] = [];
    for (const alert of alerts) {
      if (index.has(alert.dedupeKey)) {
        ids.push(null);
        continue;
      }
      const doc = await this.decide(alert, index);
      index.add(doc);
      index.forgetOld(doc.groupKey);
      this.unstored.set(doc._id, doc);
      batch.push(doc);
      ids.push(doc._id);
    }
    if (batch.length === 0) return ids.map(() => false);
    const { duplicates } = await this.alerts.insertNew(batch);
    this.unstored.clear();
    const dup = new Set(duplicates);
    // stored meanwhile through another outbox: the index no longer says what the store holds
    if (dup.size > 0) this.index = null;
    for (const doc of batch) {
      if (dup.has(doc._id)) continue;
      announceAlert(this.store, doc);
      if (doc.status === 'pending') this.metrics?.pending.inc();
      if (doc.status === 'suppressed') this.metrics?.suppressed.inc({ reason: doc.reason?.startsWith('below') ? 'threshold' : 'cooldown' });
      this.deps.logger?.debug({ alert: doc._id, status: doc.status, channel: doc.channel }, 'alert enqueued');
    }
    return ids.map((id) => id !== null && !dup.has(id));
  }

  /** The alert as it is to be stored: routed, threaded, within budget or deferred, cooled down or held. */
  private async decide(alert: AlertInput, index: AlertIndex): Promise<AlertDoc> {
    const now = this.clock();
    const r = route(alert, this.cfg, now);
    const doc = newAlertDoc(alert, r, now, this.cfg.redaction.ips);

    if (!r) {
      doc.status = 'suppressed';
      doc.reason = 'below the routing threshold (severity or band)';
    } else {
      await this.thread(doc, index);
      if (doc.kind === 'account.alert') await this.accountCooldown(doc, index);
      if (doc.status === 'pending' && r.hold) {
        doc.status = 'held';
        doc.holdUntil = quietHoursEnd(this.cfg.quietHours, now);
      }
    }

    await this.releaseByEventTime(index, alert.createdAt, now);
    // the follow-ups this one replaces are marked before it is stored, so it is stored once, with
    // their count (one conditional update fewer, which reads much of the collection on FerretDB); a
    // crash before the batch is stored leaves them superseded by an alert the pipeline's replay stores
    if (doc.status === 'pending' && doc.threadRoot && isIncident(doc.kind)) doc.coalesced = await this.coalesce(doc, index);
    return doc;
  }

  /**
   * The alerts as the store has them now, recorded in the index; those no longer stored are
   * dropped from it. For the index's hits whose status may have moved on (see AlertIndex).
   */
  private async fresh(index: AlertIndex, entries: IndexedAlert[]): Promise<Map<string, AlertDoc>> {
    const unread = entries.filter((e) => !this.unstored.has(e.id) && !this.checked.has(e.id));
    const docs = new Map(unread.length === 0 ? [] : (await this.all.getMany(unread.map((e) => e.id))).map((d) => [d._id, d]));
    for (const d of docs.values()) this.checked.set(d._id, d);
    for (const e of entries) {
      const c = this.checked.get(e.id);
      if (c && !docs.has(e.id)) docs.set(e.id, c);
      const u = this.unstored.get(e.id);
      if (u) {
        docs.set(e.id, u);
        continue;
      }
      const d = docs.get(e.id);
      if (d) index.observe(e, d);
      else index.drop(e);
    }
    return docs;
  }

  /** What the store answered plus the batch's alerts not stored yet that match, oldest first. */
  private withUnstored(stored: AlertDoc[], groupKey: string, pick: (d: AlertDoc) => boolean): AlertDoc[] {
    const out = [...stored];
    for (const d of this.unstored.values()) if (d.groupKey === groupKey && pick(d)) out.push(d);
    return sortByCreatedAt(out, 1);
  }

  /** Finds the thread root: the first alert of the thread key, or the recent incident of the same error cluster. */
  private async thread(doc: AlertDoc, index: AlertIndex): Promise<void> {
    // whether an alert was suppressed never changes after it is stored: the index answers these alone
    if (doc.threadKey) doc.threadRoot = index.threadRoot(doc.threadKey);
    if (!doc.threadRoot && doc.kind === 'incident.opened' && this.cfg.cooldown.reopenThreadMs > 0) {
      const since = doc.createdAt - this.cfg.cooldown.reopenThreadMs;
      let prev: { id: string; threadRoot: string | null } | undefined;
      if (index.covers(doc.groupKey, since)) {
        prev = index.select(doc.groupKey, (e) => e.kind === 'incident.opened' && e.createdAt >= since && e.status !== 'suppressed').at(-1);
      } else {
        const recent = await this.all.find(
          { groupKey: doc.groupKey, kind: 'incident.opened', createdAt: { $gte: since }, status: { $ne: 'suppressed' } },
          { sort: [['createdAt', -1]], limit: 1 },
        );
        const last = this.withUnstored(recent, doc.groupKey, (d) => d.kind === 'incident.opened' && d.createdAt >= since && d.status !== 'suppressed').at(-1);
        if (last) prev = { id: last._id, threadRoot: last.threadRoot };
      }
      if (prev) {
        doc.threadRoot = prev.threadRoot ?? prev.id;
        doc.reopen = true;
      }
    }
    if (!doc.threadRoot || !isIncident(doc.kind)) return;
    // message budget of the group, counted in event time so a replay decides the same way
    const window = this.cfg.cooldown.groupWindowMs;
    const after = doc.createdAt - window;
    const max = this.cfg.cooldown.maxMessagesPerGroup;
    let used: Array<{ createdAt: number }>;
    if (index.covers(doc.groupKey, after)) {
      const live = index.select(doc.groupKey, (e) => LIVE.includes(e.status) && e.createdAt > after);
      // the index may count an alert the sender has given up on since: over budget is checked
      if (live.length >= max) {
        const docs = await this.fresh(index, live);
        used = live.filter((e) => docs.has(e.id) && LIVE.includes(e.status));
      } else used = live;
    } else {
      const stored = await this.all.find({ groupKey: doc.groupKey, status: { $in: LIVE }, createdAt: { $gt: after } });
      used = this.withUnstored(stored, doc.groupKey, (d) => LIVE.includes(d.status) && d.createdAt > after);
    }
    if (used.length >= max) {
      const oldest = used[0]!;
      // wall time for a live daemon; in a replay, later alerts release it by event time (below)
      doc.releaseAt = oldest.createdAt + window;
      doc.nextAttemptAt = this.clock() + Math.max(0, doc.releaseAt - doc.createdAt);
      doc.reason = `message budget of ${doc.groupKey} used (${used.length} in ${Math.round(window / 60_000)} min): waits, newer updates replace it`;
    }
  }

  /** Deferred follow-ups whose budget slot has opened by the event time of this alert are due now. */
  private async releaseByEventTime(index: AlertIndex, eventTime: number, now: number): Promise<void> {
    const candidates = index.releasable(eventTime);
    if (candidates.length === 0) return;
    const docs = await this.fresh(index, candidates);
    for (const e of candidates) {
      const d = docs.get(e.id);
      if (!d || d.status !== 'pending' || d.releaseAt === null || d.releaseAt > eventTime) continue;
      if (this.unstored.has(d._id)) {
        d.nextAttemptAt = Math.min(d.nextAttemptAt, now);
        d.releaseAt = null;
        index.observe(e, d);
        continue;
      }
      const ok = await this.alerts.update(d._id, { releaseAt: null, nextAttemptAt: Math.min(d.nextAttemptAt, now) }, { where: { status: 'pending' } });
      if (!ok) {
        // it moved on meanwhile: read again if asked again
        this.checked.delete(d._id);
        continue;
      }
      const released = { ...d, releaseAt: null, nextAttemptAt: Math.min(d.nextAttemptAt, now) };
      this.checked.set(released._id, released);
      index.observe(e, released);
      announceAlert(this.store, released);
    }
  }

  /** An account alert that repeats the same or a milder band within the cooldown is not sent. */
  private async accountCooldown(doc: AlertDoc, index: AlertIndex): Promise<void> {
    const since = doc.createdAt - this.cfg.cooldown.accountRepeatMs;
    const rank = (band: string | null) => BAND_RANK[(band as Band) ?? 'healthy'] ?? 0;
    let prev: { id: string; band: string | null } | undefined;
    if (index.covers(doc.groupKey, since)) {
      const hits = index.select(doc.groupKey, (e) => e.kind === 'account.alert' && e.createdAt >= since && COOLING.includes(e.status));
      // The index may hold an alert as cooling that has failed since, never the other way round: a
      // band worse than every hit's is sent whichever of them still counts, so none need be read.
      if (hits.every((e) => rank(e.band) < rank(doc.band))) return;
      // newest first; one whose status may have moved on (failed, say) is checked before it counts
      for (let i = hits.length - 1; i >= 0 && !prev; i--) {
        const e = hits[i]!;
        if (!isFinal(e.status) && !(await this.fresh(index, [e])).has(e.id)) continue;
        if (COOLING.includes(e.status)) prev = { id: e.id, band: e.band };
      }
    } else {
      const recent = await this.all.find(
        { groupKey: doc.groupKey, kind: 'account.alert', createdAt: { $gte: since }, status: { $in: COOLING } },
        { sort: [['createdAt', -1]], limit: 1 },
      );
      const last = this.withUnstored(recent, doc.groupKey, (d) => d.kind === 'account.alert' && d.createdAt >= since && COOLING.includes(d.status)).at(-1);
      if (last) prev = { id: last._id, band: last.band };
    }
    if (!prev) return;
    if (rank(doc.band) <= rank(prev.band)) {
      doc.status = 'suppressed';
      doc.reason = `cooldown: ${prev.id} already reported ${prev.band} for this account`;
    }
  }

  /**
   * Older unsent follow-ups of the same incident group are replaced by the newest one, which keeps
   * its own schedule (its budget check is the fresher one). Alerts already tried once are left
   * alone: they may have reached Slack.
   */
  private async coalesce(doc: AlertDoc, index: AlertIndex): Promise<number> {
    // roots start threads and are never replaced; only follow-ups fold
    const candidates = index.select(doc.groupKey, (e) => e.threadRoot !== null && e.createdAt <= doc.createdAt && (e.status === 'pending' || e.status === 'sending'));
    if (candidates.length === 0) return 0;
    const docs = await this.fresh(index, candidates);
    let folded = 0;
    for (const e of candidates) {
      const o = docs.get(e.id);
      if (!o || o.status !== 'pending' || o.claimId !== null || o.attempts !== 0) continue;
      if (this.unstored.has(o._id)) {
        // of the same batch: stored superseded, never counted as pending
        Object.assign(o, { status: 'superseded', supersededBy: doc._id, reason: 'a newer update of the same incident replaced it' });
        index.observe(e, o);
        folded += 1 + o.coalesced;
        this.metrics?.suppressed.inc({ reason: 'superseded' });
        continue;
      }
      const ok = await this.alerts.update(
        o._id,
        { status: 'superseded', supersededBy: doc._id, reason: 'a newer update of the same incident replaced it' },
        { where: { status: 'pending', claimId: null, attempts: 0 } },
      );
      if (!ok) this.checked.delete(o._id);
      if (ok) {
        const superseded: AlertDoc = { ...o, status: 'superseded', supersededBy: doc._id, reason: 'a newer update of the same incident replaced it' };
        this.checked.set(superseded._id, superseded);
        index.observe(e, superseded);
        announceAlert(this.store, superseded);
        folded += 1 + o.coalesced;
        this.metrics?.suppressed.inc({ reason: 'superseded' });
        this.metrics?.pending.dec();
      }
    }
    return folded;
  }

  async list(filter: OutboxFilter = {}): Promise<AlertDoc[]> {
    const f: Filter = {};
    if (filter.status) f.status = Array.isArray(filter.status) ? { $in: filter.status } : filter.status;
    if (filter.kind) f.kind = Array.isArray(filter.kind) ? { $in: filter.kind } : filter.kind;
    if (filter.since !== undefined) f.enqueuedAt = { $gte: filter.since };
    return this.all.find(f, { sort: [['enqueuedAt', -1]], limit: filter.limit ?? DEFAULT_LIST_LIMIT });
  }

  async stats(): Promise<OutboxStats> {
    const counts = await Promise.all(ALL_STATUSES.map((s) => this.all.count({ status: s })));
    const out = { total: 0 } as OutboxStats;
    ALL_STATUSES.forEach((s, i) => {
      out[s] = counts[i]!;
      out.total += counts[i]!;
    });
    this.metrics?.pending.set(out.pending + out.sending);
    return out;
  }

}
