// All engine state of the pipeline in one place: the error clustering, the spike tracker, the
// per-account health states and the escalation metrics, fed one released event at a time.
import type { Account, StoredEvent, Tier } from '../events/types.js';
import type { VigilConfig } from '../config/schema.js';
import { TemplateMiner } from '../engines/errors/template-miner.js';
import { SpikeTracker, type EmptyBucketOffload } from '../engines/detect/spike-tracker.js';
import type { SentimentAnalyzer } from '../engines/sentiment/analyzer.js';
import { applyEvent, newAccountState, type AccountState } from '../engines/health/account-state.js';
import { EscalationMetrics } from '../engines/health/escalation-metrics.js';
import { redact } from '../alerts/redact.js';
import { EventPreparer, type EventPreparerOptions } from './event-preparer.js';

/** Per-account pipeline record: the health state plus what the account page shows. */
export interface AccountRecord {
  state: AccountState;
  /** Key of the last event applied: replays skip events at or before it (exactly-once per account). */
  appliedAt: number;
  appliedId: string;
  recentErrors: Array<{ clusterId: string; at: number }>;
  /** The last few messages, redacted and shortened, for the account page. */
  recentTickets: RecentTicket[];
}

export interface RecentTicket {
  ticketId?: string;
  at: number;
  type: string;
  author?: string;
  text: string;
  sentiment: number | null;
}

export interface ClusterStats {
  count: number;
  accounts: string[];
  samples: string[];
  firstSeen: number;
  lastSeen: number;
}

export interface EngineLimits {
  /** Distinct accounts remembered per cluster (for the clusters list and incident samples). */
  clusterAccountsCap: number;
  /** Redacted samples kept per cluster. */
  samplesPerCluster: number;
  /** Recent errors kept per account. */
  recentErrorsPerAccount: number;
  /** Recent messages kept per account (redacted). */
  recentTicketsPerAccount: number;
  /** Characters of a recent message kept for display. */
  recentTicketChars: number;
}

export const DEFAULT_LIMITS: EngineLimits = { clusterAccountsCap: 200, samplesPerCluster: 5, recentErrorsPerAccount: 10, recentTicketsPerAccount: 5, recentTicketChars: 280 };

const TIER_WEIGHT: Record<Tier, number> = { enterprise: 3, growth: 1.5, starter: 1 };

/** Importance of an account for spike counting: tier, raised further by ARR (log scale). */
export function accountWeight(account: Account | undefined): number {
  if (!account) return 1;
  const tier = TIER_WEIGHT[account.tier] ?? 1;
  const arrBoost = account.arr && account.arr > 100_000 ? 1 + Math.log10(account.arr / 100_000) : 1;
  return tier * arrBoost;
}

export interface EngineSnapshot {
  miner: string;
  spikes: string;
  escalation: unknown;
  clusters: Record<string, ClusterStats>;
}

export class EngineSet {
  miner: TemplateMiner;
  spikes: SpikeTracker;
  escalation: EscalationMetrics;
  readonly records = new Map<string, AccountRecord>();
  clusters = new Map<string, ClusterStats>();
  /** Accounts whose state changed since the last flush. */
  readonly touched = new Set<string>();
  /** Accounts whose record changed since the last checkpoint. */
  readonly dirty = new Set<string>();
  private readonly redactOpts: { ips: boolean };
  private readonly redactions = new WeakMap<RecentTicket, { text: string; redacted: string }>();
  private readonly clusterAccountSets = new WeakMap<ClusterStats, Set<string>>();
  /** Errors and sentiment of the events to come, worked out ahead (on a worker thread when allowed). */
  readonly preparer: EventPreparer;
  /** The same worker's channel for quiet clusters' empty buckets (null without a worker). */
  private readonly emptyBuckets: EmptyBucketOffload | null;

  constructor(
    private readonly config: VigilConfig,
    analyzer: SentimentAnalyzer,
    private readonly accountOf: (id: string) => Account | undefined,
    private readonly limits: EngineLimits = DEFAULT_LIMITS,
    preparation: EventPreparerOptions = { offThread: false },
  ) {
    this.preparer = new EventPreparer(config.errors, config.sentiment, analyzer, preparation);
    this.miner = new TemplateMiner(config.errors);
    this.spikes = new SpikeTracker(config.spikes);
    this.emptyBuckets = this.preparer.emptyBucketOffload(config.spikes.detector);
    this.spikes.useOffload(this.emptyBuckets);
    this.escalation = new EscalationMetrics();
    this.redactOpts = { ips: config.alerts.redaction.ips };
  }

  record(accountId: string): AccountRecord {
    let rec = this.records.get(accountId);
    if (!rec) {
      rec = { state: newAccountState(accountId, this.config.health), appliedAt: -8.64e15, appliedId: '', recentErrors: [], recentTickets: [] };
      this.records.set(accountId, rec);
    }
    return rec;
  }

  /**
   * Applies one event released in event-time order. The global engines are checkpointed together
   * with the release position, so they see each event once; an account's record may have been
   * saved past that position before a crash, so it skips events at or before its own applied key.
   */
  apply(ev: StoredEvent): void {
    const rec = this.record(ev.accountId);
    const accountFresh = ev.occurredAt > rec.appliedAt || (ev.occurredAt === rec.appliedAt && ev.id > rec.appliedId);
    this.escalation.add(ev);
    const prepared = this.preparer.take(ev);
    for (const message of prepared.errors) this.observeError(ev, message, rec, accountFresh);

    if (accountFresh) {
      const sentiment = prepared.sentiment;
      applyEvent(rec.state, ev, prepared, this.config.health);
      if (ev.text) {
        rec.recentTickets.push({
          ticketId: ev.ticketId,
          at: ev.occurredAt,
          type: ev.type,
          author: ev.author,
          // redacted when the record is saved or shown, not for every message that passes through
          text: ev.text.slice(0, this.limits.recentTicketChars),
          sentiment: sentiment ?? null,
        });
        if (rec.recentTickets.length > this.limits.recentTicketsPerAccount) rec.recentTickets.shift();
      }
      rec.appliedAt = ev.occurredAt;
      rec.appliedId = ev.id;
      this.touched.add(ev.accountId);
      this.dirty.add(ev.accountId);
    }
  }

  private observeError(ev: StoredEvent, message: string, rec: AccountRecord, accountFresh: boolean): void {
    const result = this.miner.add(message, ev.occurredAt);
    if (result.change === 'merged' && result.mergedIds) {
      for (const from of result.mergedIds) if (from !== result.clusterId) this.mergeCluster(from, result.clusterId);
    }
    const clusterId = this.miner.resolve(result.clusterId);
    this.spikes.observe({ clusterId, accountId: ev.accountId, at: ev.occurredAt, weight: accountWeight(this.accountOf(ev.accountId)) });
    let stats = this.clusters.get(clusterId);
    if (!stats) {
      stats = { count: 0, accounts: [], samples: [], firstSeen: ev.occurredAt, lastSeen: ev.occurredAt };
      this.clusters.set(clusterId, stats);
    }
    stats.count++;
    stats.lastSeen = Math.max(stats.lastSeen, ev.occurredAt);
    if (stats.accounts.length < this.limits.clusterAccountsCap) {
      const known = this.accountSet(stats);
      if (!known.has(ev.accountId)) {
        stats.accounts.push(ev.accountId);
        known.add(ev.accountId);
      }
    }
    if (stats.samples.length < this.limits.samplesPerCluster) stats.samples.push(redact(message, this.redactOpts));
    if (accountFresh) this.pushRecentError(rec, clusterId, ev.occurredAt);
  }

  /**
   * The cluster's account list as a set (membership was a linear scan per error). Rebuilt when the
   * list changed elsewhere (a merge, a restore): the list itself stays the stored form.
   */
  private accountSet(stats: ClusterStats): Set<string> {
    let set = this.clusterAccountSets.get(stats);
    if (!set || set.size !== stats.accounts.length) {
      set = new Set(stats.accounts);
      this.clusterAccountSets.set(stats, set);
    }
    return set;
  }

  private pushRecentError(rec: AccountRecord, clusterId: string, at: number): void {
    rec.recentErrors.push({ clusterId, at });
    if (rec.recentErrors.length > this.limits.recentErrorsPerAccount) rec.recentErrors.shift();
  }

  private mergeCluster(from: string, to: string): void {
    this.spikes.remap(from, to);
    const a = this.clusters.get(from);
    if (!a) return;
    this.clusters.delete(from);
    const b = this.clusters.get(to);
    if (!b) {
      this.clusters.set(to, a);
      return;
    }
    b.count += a.count;
    b.firstSeen = Math.min(a.firstSeen, b.firstSeen);
    b.lastSeen = Math.max(a.lastSeen, b.lastSeen);
    for (const acc of a.accounts) if (b.accounts.length < this.limits.clusterAccountsCap && !b.accounts.includes(acc)) b.accounts.push(acc);
    for (const s of a.samples) if (b.samples.length < this.limits.samplesPerCluster) b.samples.push(s);
  }

  /**
   * The record as it may be stored: recent message texts redacted, in new ticket objects without
   * the fields an event did not have (what a stored copy would hold; the store can then keep them as they are).
   */
  storable(rec: AccountRecord): AccountRecord {
    return { ...rec, recentTickets: rec.recentTickets.map((t) => this.storableTicket(t)) };
  }

  /** The fields in the order of a recorded ticket (the checkpoint's JSON text stays the same). */
  private storableTicket(t: RecentTicket): RecentTicket {
    const out = (t.ticketId !== undefined ? { ticketId: t.ticketId, at: t.at, type: t.type } : { at: t.at, type: t.type }) as RecentTicket;
    if (t.author !== undefined) out.author = t.author;
    out.text = this.redacted(t);
    out.sentiment = t.sentiment;
    return out;
  }

  /** A recent message's redacted text, worked out once: a message stays in the record over many checkpoints. */
  private redacted(t: RecentTicket): string {
    const hit = this.redactions.get(t);
    if (hit && hit.text === t.text) return hit.redacted;
    const redacted = redact(t.text, this.redactOpts);
    this.redactions.set(t, { text: t.text, redacted });
    return redacted;
  }

  /** Drops cluster stats of clusters the miner evicted, keeping memory bounded by its cap. */
  pruneClusters(): void {
    for (const id of this.clusters.keys()) if (!this.miner.get(id)) this.clusters.delete(id);
  }

  snapshot(): EngineSnapshot {
    return {
      miner: this.miner.snapshot(),
      spikes: this.spikes.snapshot(),
      escalation: this.escalation.toJSON(),
      clusters: Object.fromEntries(this.clusters),
    };
  }

  restore(s: EngineSnapshot): void {
    this.miner = TemplateMiner.restore(s.miner, this.config.errors);
    this.spikes = SpikeTracker.restore(s.spikes, this.config.spikes);
    this.spikes.useOffload(this.emptyBuckets);
    this.escalation = EscalationMetrics.fromJSON(s.escalation as never);
    this.clusters = new Map(Object.entries(s.clusters));
  }
}
