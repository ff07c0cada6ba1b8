// Builders of realistic alerts for the alerts tests, with every field overridable.
import { alertsConfig, type AlertsConfig } from '../../src/alerts/config.js';
import type { AccountAlertPayload, AlertInput, DigestPayload, IncidentPayload, WeeklyReportPayload } from '../../src/alerts/alert-types.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends Array<unknown> ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function testConfig(over: DeepPartial<AlertsConfig> = {}): AlertsConfig {
  return alertsConfig.parse(over);
}

export const T0 = Date.UTC(2026, 10, 24, 14, 0, 0);

export function incidentPayload(over: Partial<IncidentPayload> = {}): IncidentPayload {
  return {
    incidentId: 'inc-1',
    clusterId: 'c-7f3a',
    template: 'PaymentGatewayError: charge failed for invoice <NUM> (upstream timeout after <NUM> ms)',
    count: 312,
    baseline: 12,
    ratio: 26,
    accountsAffected: 14,
    topAccounts: [
      { accountId: 'acc-1', name: 'Acme Corp', tier: 'enterprise', count: 120 },
      { accountId: 'acc-2', name: 'Globex', tier: 'growth', count: 61 },
      { accountId: 'acc-3', name: 'Initech', tier: 'starter', count: 17 },
    ],
    firstSeen: T0 - 20 * 60_000,
    samples: [
      'PaymentGatewayError: charge failed for invoice 88123 (upstream timeout after 30000 ms)',
      'Customer jane.doe@acme.com says: card 4111 1111 1111 1111 was charged twice, call me at +1 415 555 0132',
    ],
    links: { api: 'http://127.0.0.1:8080/v1/incidents/inc-1', dashboard: 'http://127.0.0.1:8080/#/incidents/inc-1' },
    ...over,
  };
}

export function incidentAlert(kind: 'incident.opened' | 'incident.grew' | 'incident.resolved', over: Partial<AlertInput> = {}, payload: Partial<IncidentPayload> = {}): AlertInput {
  const p = incidentPayload(payload);
  return {
    dedupeKey: `${p.incidentId}:${kind}:${over.createdAt ?? T0}`,
    kind,
    threadKey: `incident:${p.incidentId}`,
    severity: 'sev2',
    tier: 'enterprise',
    createdAt: T0,
    payload: p,
    ...over,
  };
}

export function accountPayload(over: Partial<AccountAlertPayload> = {}): AccountAlertPayload {
  return {
    accountId: 'acc-1',
    name: 'Acme Corp',
    tier: 'enterprise',
    score: 38,
    previousScore: 71,
    band: 'at-risk',
    previousBand: 'watch',
    topReasons: ['Sentiment fell from +0.21 to -0.34 over 7 days', '3 escalations in 14 days (usually 0)', 'CSAT 2.1 on the last 5 tickets'],
    owner: { name: 'Dana Whitfield', slackUserId: 'U024BE7LH' },
    suggestedAction: 'Call the admin today; offer an engineering review of the failed charges',
    link: 'http://127.0.0.1:8080/#/accounts/acc-1',
    ...over,
  };
}

export function accountAlert(over: Partial<AlertInput> = {}, payload: Partial<AccountAlertPayload> = {}): AlertInput {
  const p = accountPayload(payload);
  return { dedupeKey: `account:${p.accountId}:${p.band}:${over.createdAt ?? T0}`, kind: 'account.alert', tier: p.tier, band: p.band, createdAt: T0, payload: p, ...over };
}

export function digestPayload(n = 3): DigestPayload {
  const names = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Soylent', 'Stark Industries', 'Wayne Enterprises', 'Tyrell', 'Cyberdyne', 'Aperture', 'Massive Dynamic'];
  return {
    day: '2026-11-24',
    total: n,
    link: 'http://127.0.0.1:8080/#/outreach',
    items: Array.from({ length: n }, (_, i) => ({
      accountId: `acc-${i + 1}`,
      name: names[i % names.length]!,
      tier: (['enterprise', 'growth', 'starter'] as const)[i % 3]!,
      priority: 90 - i * 5,
      score: 30 + i * 3,
      band: i === 0 ? ('critical' as const) : ('at-risk' as const),
      reasons: ['Escalations doubled this week', 'Renewal in 21 days'],
      owner: i % 2 === 0 ? { name: 'Dana Whitfield', slackUserId: 'U024BE7LH' } : null,
      action: 'Call the account owner',
    })),
  };
}

export function weeklyPayload(): WeeklyReportPayload {
  const metrics = { tickets: 1840, escalationRate: 0.182, aiResolutionRate: 0.64, reEscalationRate: 0.07, csatAtHandoff: 3.4, medianTimeToHumanMs: 14 * 60_000, firstContactResolutionRate: 0.58 };
  return { fromDay: '2026-11-16', toDay: '2026-11-22', metrics, previous: { ...metrics, escalationRate: 0.151, tickets: 1702 }, highlights: ['Escalations up 3.1 points, driven by billing'], link: 'http://127.0.0.1:8080/' };
}
