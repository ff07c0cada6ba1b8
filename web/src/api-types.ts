// The response shapes of the Vigil HTTP API as the dashboard reads them (see the API contract).
// Times are epoch milliseconds; `day` fields are YYYY-MM-DD.

export type Band = 'healthy' | 'watch' | 'at-risk' | 'critical';
export const BANDS: Band[] = ['critical', 'at-risk', 'watch', 'healthy'];
export type Tier = 'enterprise' | 'growth' | 'starter';
export const TIERS: Tier[] = ['enterprise', 'growth', 'starter'];
export type OutreachStatus = 'new' | 'contacted' | 'resolved' | 'dismissed';
export const OUTREACH_STATUSES: OutreachStatus[] = ['new', 'contacted', 'resolved', 'dismissed'];
export type OutreachOutcome = 'saved' | 'churned' | 'false_alarm';

export interface EscalationMetrics {
  tickets: number;
  escalationRate: number;
  aiResolutionRate: number;
  reEscalationRate: number;
  csatAtHandoff: number | null;
  medianTimeToHumanMs: number | null;
  firstContactResolutionRate: number | null;
}

export interface Overview {
  asOf: number;
  accounts: { total: number; byBand: Record<Band, number> };
  scoreHistogram: number[];
  incidents: { open: number; total: number };
  outreach: Record<OutreachStatus, number>;
  /** Null until the first tickets have been processed. */
  escalation: EscalationMetrics | null;
}

/** GET /v1/escalation: the overall figures, per ticket category, and the accounts escalating most. */
export interface EscalationReport {
  overall: EscalationMetrics | null;
  byCategory: Record<string, EscalationMetrics>;
  byAccount: Array<{ accountId: string } & EscalationMetrics>;
}

export interface HealthItem {
  accountId: string;
  name: string;
  tier: Tier;
  arr?: number | null;
  score: number;
  band: Band;
  priority: number;
  topReasons: string[];
  spark: { score: number[]; sentiment: number[]; tickets: number[] };
}

export interface HealthPage {
  total: number;
  offset: number;
  limit: number;
  items: HealthItem[];
}

export interface AccountOwner {
  name: string;
  slackUserId?: string;
}

export interface Account {
  accountId: string;
  name: string;
  tier: Tier;
  arr?: number;
  renewalDate?: string;
  churnRisk?: boolean;
  owner?: AccountOwner;
}

export interface HealthComponent {
  name: string;
  value: number;
  weight: number;
  contribution: number;
  sentence: string;
}

export interface AccountHealth {
  accountId: string;
  account: Account | null;
  score: number;
  band: Band;
  priority: number;
  priorityReasons: string[];
  components: HealthComponent[];
  suggestedAction: string;
  history: Array<{ day: string; score: number; band: Band; sentiment: number | null; tickets: number }>;
  recentTickets: Array<{ ticketId?: string; at: number; type: string; author?: string; text: string; sentiment: number | null }>;
  recentErrors: Array<{ clusterId: string; template: string; at: number }>;
  openIncidents: Array<{ id: string; template: string }>;
}

export interface IncidentItem {
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
}

export interface IncidentDetail extends IncidentItem {
  timeline: Array<{ at: number; kind: 'opened' | 'grew' | 'resolved'; count: number; accounts: number }>;
  series: Array<{ t: number; count: number; baseline: number }>;
  affectedAccounts: Array<{ accountId: string; name: string; tier: Tier; count: number }>;
  samples: string[];
}

export interface OutreachEntry {
  id: string;
  accountId: string;
  name: string;
  tier: Tier | null;
  priority: number;
  /** Null when the account has no health score (yet). */
  score: number | null;
  band: Band | null;
  reasons: string[];
  owner: AccountOwner | null;
  action: string;
  status: OutreachStatus;
  outcome: OutreachOutcome | null;
  createdAt: number;
  updatedAt: number;
}

export interface ItemList<T> {
  items: T[];
}
