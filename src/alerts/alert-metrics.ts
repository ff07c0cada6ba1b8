// Prometheus metrics of the alert outbox and sender, registered once per registry so the outbox
// and the sender (and tests making several of each) share the same series.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface AlertMetrics {
  sent: Counter<'kind' | 'transport'>;
  failed: Counter<'kind' | 'reason'>;
  retried: Counter<'reason'>;
  suppressed: Counter<'reason'>;
  pending: Gauge;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** The alert metrics in `registry` (created on first use); null without a registry. */
export function alertMetrics(registry: Registry | undefined): AlertMetrics | null {
  if (!registry) return null;
  const pendingExisting = registry.getSingleMetric('alerts_pending');
  return {
    sent: counter(registry, 'alerts_sent_total', 'Alerts delivered (to Slack, or printed by the console sink).', ['kind', 'transport']),
    failed: counter(registry, 'alerts_failed_total', 'Alerts given up on after retries, or refused by Slack for good.', ['kind', 'reason']),
    retried: counter(registry, 'alerts_retried_total', 'Delivery attempts that will be retried (rate limit, Slack error, network).', ['reason']),
    suppressed: counter(registry, 'alerts_suppressed_total', 'Alerts not sent on their own: below a threshold, cooldown, or superseded by a newer update.', ['reason']),
    pending: (pendingExisting as Gauge | undefined) ?? new Gauge({ name: 'alerts_pending', help: 'Alerts waiting to be sent or in flight (held ones not counted).', registers: [registry] }),
  };
}
