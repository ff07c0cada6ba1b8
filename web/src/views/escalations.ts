// Escalation metrics: how often the AI hands over to a human, how well that goes and how fast,
// overall, per ticket category and for the accounts that escalate most.
import { apiGet, ApiError } from '../api-client.js';
import type { EscalationMetrics, EscalationReport, Overview } from '../api-types.js';
import { h, replaceChildren } from '../dom.js';
import { DASH, duration, humanize, int, percent } from '../format.js';
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

function csat(v: number | null): string {
  return v == null || !Number.isFinite(v) ? DASH : `${v.toFixed(2)} / 5`;
}

function metrics(e: EscalationMetrics): Metric[] {
  return [
    { label: 'Escalation rate', value: percent(e.escalationRate), explain: 'Share of tickets handed from the AI to a human agent.', fill: e.escalationRate, higherIsBetter: false },
    { label: 'AI resolution rate', value: percent(e.aiResolutionRate), explain: 'Share of tickets the AI resolved with no human involved.', fill: e.aiResolutionRate, higherIsBetter: true },
    { label: 'Re-escalation rate', value: percent(e.reEscalationRate), explain: 'Escalated tickets that came back to a human again after being resolved or reopened.', fill: e.reEscalationRate, higherIsBetter: false },
    { label: 'CSAT at handoff', value: csat(e.csatAtHandoff), explain: 'Mean satisfaction rating (1–5) on tickets that went to a human.', fill: e.csatAtHandoff == null ? null : (e.csatAtHandoff - 1) / 4, higherIsBetter: true },
    { label: 'Median time to human', value: duration(e.medianTimeToHumanMs), explain: 'From ticket creation to the escalation, median over escalated tickets.', fill: null, higherIsBetter: false },
    { label: 'First-contact resolution', value: percent(e.firstContactResolutionRate), explain: 'Tickets resolved without being reopened or escalated.', fill: e.firstContactResolutionRate, higherIsBetter: true },
  ];
}

/** A rate this many times the overall one (or the overall one this many times it) stands out. */
const STANDOUT_RATIO = 1.5;
/** CSAT this far below the overall mean stands out. */
const STANDOUT_CSAT_DROP = 0.5;

/** 'neg' when a figure is markedly worse than the overall one, so the eye finds the outliers. */
function tone(value: number | null, overall: number | null | undefined, higherIsBetter: boolean, csat = false): string {
  if (value == null || overall == null || !Number.isFinite(value) || !Number.isFinite(overall)) return '';
  if (csat) return value < overall - STANDOUT_CSAT_DROP ? 'neg' : '';
  const worse = higherIsBetter ? value * STANDOUT_RATIO < overall : value > overall * STANDOUT_RATIO && value - overall > 0.02;
  return worse ? 'neg' : '';
}

function breakdown(rows: Array<{ key: HTMLElement | string } & EscalationMetrics>, keyLabel: string, overall: EscalationMetrics | null): HTMLElement {
  if (rows.length === 0) return h('div', { class: 'empty' }, 'No tickets yet.');
  return h(
    'table',
    { class: 'data' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, keyLabel),
        h('th', { class: 'num' }, 'Tickets'),
        h('th', { class: 'num' }, 'Escalated'),
        h('th', { class: 'num' }, 'AI resolved'),
        h('th', { class: 'num' }, 'Re-escalated'),
        h('th', { class: 'num' }, 'CSAT at handoff'),
        h('th', { class: 'num' }, 'Time to human'),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          {},
          h('td', { class: 'strong' }, r.key),
          h('td', { class: 'num' }, int(r.tickets)),
          h('td', { class: `num ${tone(r.escalationRate, overall?.escalationRate, false)}` }, percent(r.escalationRate)),
          h('td', { class: `num ${tone(r.aiResolutionRate, overall?.aiResolutionRate, true)}` }, percent(r.aiResolutionRate)),
          h('td', { class: `num ${tone(r.reEscalationRate, overall?.reEscalationRate, false)}` }, percent(r.reEscalationRate)),
          h('td', { class: `num ${tone(r.csatAtHandoff, overall?.csatAtHandoff, true, true)}` }, csat(r.csatAtHandoff)),
          h('td', { class: 'num' }, duration(r.medianTimeToHumanMs)),
        ),
      ),
    ),
  );
}

function standoutNote(): HTMLElement {
  return h('span', { class: 'muted' }, h('span', { class: 'neg strong' }, 'red'), ': markedly worse than overall');
}

/** GET /v1/escalation, or the overall figures of the overview from an API that lacks it. */
async function loadReport(): Promise<EscalationReport> {
  try {
    return await apiGet<EscalationReport>('/v1/escalation');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    const o = await apiGet<Overview>('/v1/overview');
    return { overall: o.escalation, byCategory: {}, byAccount: [] };
  }
}

export async function escalationsView(ctx: ViewContext): Promise<void> {
  const report = await loadReport();
  if (ctx.signal.aborted) return;
  const e = report.overall;
  const categories = Object.entries(report.byCategory ?? {}).map(([k, m]) => ({ key: humanize(k), ...m }));
  const accounts = (report.byAccount ?? []).map((a) => ({ ...a, key: h('a', { href: `#/account/${encodeURIComponent(a.accountId)}` }, a.accountId) }));
  replaceChildren(
    ctx.root,
    pageHeader('Escalations', e ? `${int(e.tickets)} tickets · AI to human handoffs and how they went` : 'No tickets processed yet'),
    e
      ? h(
          'div',
          { class: 'metric-grid', id: 'escalation-metrics' },
          ...metrics(e).map((m) => card(m.label, h('div', {}, h('div', { class: 'metric-value' }, m.value), gauge(m.fill, m.higherIsBetter), h('p', { class: 'muted small' }, m.explain)))),
        )
      : h('div', { class: 'empty', id: 'escalation-metrics' }, 'No escalation figures yet.'),
    categories.length ? card('By ticket category', breakdown(categories, 'Category', e), { className: 'flush', extra: standoutNote() }) : null,
    accounts.length ? card('Accounts escalating most', breakdown(accounts, 'Account', e), { className: 'flush', extra: standoutNote() }) : null,
  );
}
