// Escalation metrics: how often the AI hands over to a human, how well that goes, and how fast.
// Each figure carries a line on what it measures, since the names alone are easy to misread.
import { apiGet } from '../api-client.js';
import type { Overview } from '../api-types.js';
import { h, replaceChildren } from '../dom.js';
import { dateTime, duration, int, percent } from '../format.js';
import { card, pageHeader } from '../layout.js';
import type { ViewContext } from '../router.js';

interface Metric {
  label: string;
  value: string;
  explain: string;
  /** The figure as a share of its scale (0..1), the gauge's length; null: no gauge. */
  fill: number | null;
  /** True when a higher figure is better (sets the gauge colour). */
  higherIsBetter: boolean;
}

function gauge(fill: number | null, higherIsBetter: boolean): HTMLElement | null {
  if (fill == null || !Number.isFinite(fill)) return null;
  const f = Math.min(1, Math.max(0, fill));
  const goodness = higherIsBetter ? f : 1 - f;
  return h('div', { class: 'gauge' }, h('div', { class: 'gauge-fill', style: `width:${(f * 100).toFixed(1)}%;background:hsl(${Math.round(goodness * 130)} 55% 45%)` }));
}

export async function escalationsView(ctx: ViewContext): Promise<void> {
  const o = await apiGet<Overview>('/v1/overview');
  if (ctx.signal.aborted) return;
  const e = o.escalation;
  const metrics: Metric[] = [
    { label: 'Escalation rate', value: percent(e.escalationRate), explain: 'Share of tickets handed from the AI to a human agent.', fill: e.escalationRate, higherIsBetter: false },
    { label: 'AI resolution rate', value: percent(e.aiResolutionRate), explain: 'Share of tickets the AI resolved with no human involved.', fill: e.aiResolutionRate, higherIsBetter: true },
    { label: 'Re-escalation rate', value: percent(e.reEscalationRate), explain: 'Escalated tickets that were escalated again after being resolved or reopened.', fill: e.reEscalationRate, higherIsBetter: false },
    {
      label: 'CSAT at handoff',
      value: e.csatAtHandoff == null ? '–' : `${e.csatAtHandoff.toFixed(2)} / 5`,
      explain: 'Mean satisfaction rating on tickets that went to a human.',
      fill: e.csatAtHandoff == null ? null : (e.csatAtHandoff - 1) / 4,
      higherIsBetter: true,
    },
    { label: 'Median time to human', value: duration(e.medianTimeToHumanMs), explain: 'From ticket creation to the escalation, median over escalated tickets.', fill: null, higherIsBetter: false },
    {
      label: 'First-contact resolution',
      value: percent(e.firstContactResolutionRate),
      explain: 'Tickets resolved without being reopened or escalated.',
      fill: e.firstContactResolutionRate,
      higherIsBetter: true,
    },
  ];
  replaceChildren(
    ctx.root,
    pageHeader('Escalations', `${int(e.tickets)} tickets · as of ${dateTime(o.asOf)}`),
    h(
      'div',
      { class: 'metric-grid', id: 'escalation-metrics' },
      ...metrics.map((m) => card(m.label, h('div', {}, h('div', { class: 'metric-value' }, m.value), gauge(m.fill, m.higherIsBetter), h('p', { class: 'muted small' }, m.explain)))),
    ),
  );
}
