// The proactive outreach list as a pure lifecycle: one entry per account that opens when health
// falls, updates while open, reopens when the account worsens again, and yields training labels.
import type { Account, AccountOwner, Tier } from '../../events/types.js';
import type { HealthConfig } from './config.js';
import { BANDS, type Band, type HealthReading, type HealthResult } from './health-score.js';

export const OUTREACH_STATUSES = ['new', 'contacted', 'resolved', 'dismissed'] as const;
export type OutreachStatus = (typeof OUTREACH_STATUSES)[number];
export const OUTREACH_OUTCOMES = ['saved', 'churned', 'false_alarm'] as const;
export type OutreachOutcome = (typeof OUTREACH_OUTCOMES)[number];

export interface OutreachEntry {
  /** Stable per account: the list never holds two entries for one account. */
  id: string;
  accountId: string;
  name: string;
  tier: Tier | null;
  priority: number;
  score: number;
  band: Band;
  reasons: string[];
  owner: AccountOwner | null;
  action: string;
  status: OutreachStatus;
  outcome: OutreachOutcome | null;
  createdAt: number;
  updatedAt: number;
  /** Score when the entry was last resolved or dismissed (null while open). */
  closedScore: number | null;
  closedAt: number | null;
  /** Best score seen since closing: a recovery followed by a new fall reopens the entry. */
  bestSinceClose: number | null;
  /** How many times the entry was reopened. */
  reopened: number;
  /** The health features when the entry was last opened or updated: the learner's input. */
  features: number[];
}

export type OutreachChange = 'none' | 'opened' | 'updated' | 'reopened' | 'tracked';

export function outreachId(accountId: string): string {
  return `out-${accountId}`;
}

/**
 * A score whose explanation is built only if an entry needs it: most evaluations change no entry,
 * and the headline numbers are all the decision reads.
 */
export interface LazyHealth extends HealthReading {
  explained(): HealthResult;
}

const explainedOf = (h: HealthResult | LazyHealth): HealthResult => ('explained' in h ? h.explained() : h);

const isOpen = (s: OutreachStatus) => s === 'new' || s === 'contacted';
const bandRank = (b: Band) => BANDS.indexOf(b);

function fill(entry: OutreachEntry, health: HealthResult, account: Account | undefined, nowMs: number): OutreachEntry {
  return {
    ...entry,
    name: account?.name ?? entry.name,
    tier: account?.tier ?? entry.tier,
    owner: account?.owner ?? entry.owner,
    priority: health.priority,
    score: health.score,
    band: health.band,
    reasons: [...health.topReasons, ...health.priorityReasons],
    action: health.suggestedAction,
    features: health.features,
    updatedAt: nowMs,
  };
}

/** The answer of most evaluations, shared: a scoring that changes no entry allocates nothing for it. */
const NO_CHANGE: { readonly change: OutreachChange; readonly entry?: OutreachEntry } = Object.freeze({ change: 'none' });

/**
 * Decides what the latest health result means for the account's outreach entry. `tracked` means
 * only the bookkeeping of a closed entry moved (persist it; nothing to announce).
 */
export function decideOutreach(
  prev: OutreachEntry | undefined,
  health: HealthResult | LazyHealth,
  account: Account | undefined,
  nowMs: number,
  cfg: HealthConfig,
): { change: OutreachChange; entry?: OutreachEntry } {
  const o = cfg.outreach;
  const needs = health.score < o.openBelowScore;
  if (!prev) {
    if (!needs) return NO_CHANGE;
    const blank: OutreachEntry = {
      id: outreachId(health.accountId),
      accountId: health.accountId,
      name: account?.name ?? health.accountId,
      tier: account?.tier ?? null,
      priority: 0,
      score: 0,
      band: health.band,
      reasons: [],
      owner: account?.owner ?? null,
      action: '',
      status: 'new',
      outcome: null,
      createdAt: nowMs,
      updatedAt: nowMs,
      closedScore: null,
      closedAt: null,
      bestSinceClose: null,
      reopened: 0,
      features: [],
    };
    return { change: 'opened', entry: fill(blank, explainedOf(health), account, nowMs) };
  }
  if (isOpen(prev.status)) {
    const moved = Math.abs(health.score - prev.score) >= o.updateMinScoreDelta || health.band !== prev.band;
    return moved ? { change: 'updated', entry: fill(prev, explainedOf(health), account, nowMs) } : NO_CHANGE;
  }
  // Closed (resolved or dismissed): reopen only when the account is worse than when it was closed,
  // or when it had recovered and has fallen again.
  const closedScore = prev.closedScore ?? prev.score;
  const best = Math.max(prev.bestSinceClose ?? closedScore, health.score);
  const worse = health.score <= closedScore - o.reopenWorsenBy || (health.band !== prev.band && bandRank(health.band) > bandRank(prev.band) && needs);
  const fellAgain = best >= o.reopenAfterRecovery && needs;
  if (needs && (worse || fellAgain)) {
    const entry = fill(prev, explainedOf(health), account, nowMs);
    return {
      change: 'reopened',
      entry: { ...entry, status: 'new', outcome: null, closedScore: null, closedAt: null, bestSinceClose: null, reopened: prev.reopened + 1 },
    };
  }
  if (best !== prev.bestSinceClose) return { change: 'tracked', entry: { ...prev, bestSinceClose: best } };
  return NO_CHANGE;
}

/** Open entries first, then by priority (highest first); ties by account id for a stable order. */
export function rankOutreach(entries: readonly OutreachEntry[]): OutreachEntry[] {
  return [...entries].sort((a, b) => {
    const oa = isOpen(a.status) ? 0 : 1;
    const ob = isOpen(b.status) ? 0 : 1;
    if (oa !== ob) return oa - ob;
    if (b.priority !== a.priority) return b.priority - a.priority;
    return a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0;
  });
}

/** A training label from an outcome: 1 = the account really was at risk. */
export interface OutcomeLabel {
  accountId: string;
  entryId: string;
  outcome: OutreachOutcome;
  label: 0 | 1;
  features: number[];
  at: number;
}

/** Churned and saved accounts were truly at risk (label 1); a false alarm was not (label 0). */
export function labelOfOutcome(outcome: OutreachOutcome): 0 | 1 {
  return outcome === 'false_alarm' ? 0 : 1;
}

/** Records a status (and outcome) on an entry; an outcome also yields a training label. */
export function applyOutcome(
  entry: OutreachEntry,
  update: { status: Exclude<OutreachStatus, 'new'>; outcome?: OutreachOutcome },
  nowMs: number,
): { entry: OutreachEntry; label?: OutcomeLabel } {
  const closing = update.status === 'resolved' || update.status === 'dismissed';
  const next: OutreachEntry = {
    ...entry,
    status: update.status,
    outcome: update.outcome ?? entry.outcome,
    updatedAt: nowMs,
    closedScore: closing ? entry.score : null,
    closedAt: closing ? nowMs : null,
    bestSinceClose: closing ? entry.score : null,
  };
  if (!update.outcome) return { entry: next };
  return {
    entry: next,
    label: {
      accountId: entry.accountId,
      entryId: entry.id,
      outcome: update.outcome,
      label: labelOfOutcome(update.outcome),
      features: entry.features,
      at: nowMs,
    },
  };
}
