// The alerts the pipeline hands to the outbox, their payloads, and the stored outbox document.
// Payloads carry everything a message needs, so rendering never reads the store.
import type { Tier } from '../events/types.js';
import type { EscalationSummary } from '../engines/health/escalation-metrics.js';

export type AlertKind = 'incident.opened' | 'incident.grew' | 'incident.resolved' | 'account.alert' | 'digest.outreach' | 'report.weekly';
/** Kinds the outbox creates itself: the summary of alerts held during quiet hours. */
export type InternalAlertKind = 'digest.held';
export type Severity = 'sev1' | 'sev2' | 'sev3';
export type Band = 'healthy' | 'watch' | 'at-risk' | 'critical';

export interface AccountRef {
  accountId: string;
  name: string;
  tier: Tier;
  count: number;
}

export interface AlertLinks {
  /** The incident or account in the HTTP API. */
  api?: string;
  /** The same on the dashboard. */
  dashboard?: string;
}

export interface IncidentPayload {
  incidentId: string;
  clusterId: string;
  template: string;
  /** Events in the detection window. */
  count: number;
  /** Expected count in such a window. */
  baseline: number;
  /** count / baseline (the pipeline decides how a zero baseline reads). */
  ratio: number;
  accountsAffected: number;
  topAccounts: AccountRef[];
  /** Epoch ms (event time). */
  firstSeen: number;
  /** Epoch ms (event time) of the resolution, for incident.resolved. */
  resolvedAt?: number;
  /** Already redacted by the pipeline; redacted again before storing anyway. */
  samples: string[];
  links: AlertLinks;
}

export interface AccountOwnerRef {
  name: string;
  slackUserId?: string;
}

export interface AccountAlertPayload {
  accountId: string;
  name: string;
  tier: Tier;
  score: number;
  previousScore: number | null;
  band: Band;
  previousBand: Band | null;
  topReasons: string[];
  owner: AccountOwnerRef | null;
  suggestedAction: string;
  link: string;
}

export interface DigestItem {
  accountId: string;
  name: string;
  tier: Tier;
  priority: number;
  score: number;
  band: Band;
  reasons: string[];
  owner: AccountOwnerRef | null;
  action: string;
  link?: string;
}

export interface DigestPayload {
  /** YYYY-MM-DD the digest is for. */
  day: string;
  /** Ranked, most urgent first. */
  items: DigestItem[];
  /** Accounts on the full list (items may be cut to the configured length). */
  total: number;
  link?: string;
}

/** The weekly report carries the escalation metrics exactly as the health engine sums them. */
export type EscalationMetricsPayload = EscalationSummary;

export interface WeeklyReportPayload {
  /** YYYY-MM-DD, first and last day covered. */
  fromDay: string;
  toDay: string;
  metrics: EscalationMetricsPayload;
  /** The week before, for the change; null when unknown. */
  previous: EscalationMetricsPayload | null;
  /** A few sentences the report generator wants to highlight. */
  highlights: string[];
  link?: string;
}

/** One summary line per alert held during quiet hours. */
export interface HeldDigestPayload {
  from: number;
  until: number;
  lines: string[];
}

export type AlertPayload = IncidentPayload | AccountAlertPayload | DigestPayload | WeeklyReportPayload;

export interface AlertInput {
  /** Unique per alert; the outbox document id, so the same finding never becomes two alerts. */
  dedupeKey: string;
  kind: AlertKind;
  /** Follow-ups thread under the first message with this key. */
  threadKey?: string;
  severity?: Severity;
  tier?: Tier;
  band?: string;
  /** Epoch ms (event time of the finding). */
  createdAt: number;
  payload: AlertPayload;
}

export type AlertStatus =
  /** waiting to be sent (possibly after a backoff) */
  | 'pending'
  /** claimed by a sender, post in flight */
  | 'sending'
  | 'sent'
  /** gave up; `error` says why */
  | 'failed'
  /** quiet hours: waits until `holdUntil`, then goes out in a summary */
  | 'held'
  /** included in a held-alerts summary (`releasedInto`) */
  | 'released'
  /** cooldown: not worth a message (`reason`) */
  | 'suppressed'
  /** a newer update of the same group was sent instead (`supersededBy`) */
  | 'superseded';

/** The outbox document (collection `alerts`); `_id` is the dedupe key. Top-level fields are queryable. */
export interface AlertDoc {
  _id: string;
  kind: AlertKind | InternalAlertKind;
  status: AlertStatus;
  severity: Severity | null;
  tier: Tier | null;
  band: string | null;
  /** What the cooldown budget and coalescing count per: the error cluster, or the account. */
  groupKey: string;
  threadKey: string | null;
  /** Explicit thread root (dedupe key), e.g. a re-opened incident threads under the earlier one. */
  threadRoot: string | null;
  channel: string;
  mention: string | null;
  createdAt: number;
  enqueuedAt: number;
  nextAttemptAt: number;
  holdUntil: number | null;
  /** Over the group's message budget: the event time at which a slot frees (a later alert past it releases this one). */
  releaseAt: number | null;
  attempts: number;
  /** Claims so far; claim n is the kv document `alert-claim:<_id>#n`, which only one daemon can insert. */
  claims: number;
  /** The id of the current claim; updates by the claimer are conditional on it. */
  claimId: string | null;
  claimedBy: string | null;
  claimedAt: number | null;
  /** The last attempt may have reached Slack (timeout, 5xx, crash): look before posting again. */
  uncertain: boolean;
  sentAt: number | null;
  ts: string | null;
  /** Channel id Slack answered with (the name in `channel` may be a #name). */
  postedChannel: string | null;
  threadTs: string | null;
  transport: 'slack' | 'console' | 'dry-run' | null;
  error: string | null;
  reason: string | null;
  supersededBy: string | null;
  releasedInto: string | null;
  /** Updates of the same group that were folded into this one. */
  coalesced: number;
  reopen: boolean;
  payload: AlertPayload | HeldDigestPayload;
}
