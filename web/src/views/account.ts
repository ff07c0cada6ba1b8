// One account: its score and why (each component with its sentence), the suggested action, 90-day
// charts of score, sentiment and tickets, the recent tickets and errors, and its open incidents.
import { apiGet } from '../api-client.js';
import type { AccountHealth } from '../api-types.js';
import { bandBadge, scorePill, tierBadge } from '../badges.js';
import { timeChart } from '../charts/time-chart.js';
import { h, replaceChildren } from '../dom.js';
import { DASH, date, dateTime, decimal, humanize, money, sentiment } from '../format.js';
import { card, pageHeader } from '../layout.js';
import { priorityText } from '../account-table.js';
import type { ViewContext } from '../router.js';

const DAY_MS = 86_400_000;

function dayToMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** Names whose plain humanized form reads wrong (acronyms, hyphenation). */
const COMPONENT_LABEL: Record<string, string> = {
  csat: 'CSAT',
  aiLoops: 'AI loops',
  reEscalations: 'Re-escalations',
  ticketRate: 'Ticket rate',
  learned: 'Learned adjustment',
};

function componentLabel(name: string): string {
  return COMPONENT_LABEL[name] ?? humanize(name);
}

function componentsTable(a: AccountHealth): HTMLElement {
  if (a.components.length === 0) return h('div', { class: 'empty' }, 'No components yet.');
  const maxAbs = Math.max(1e-9, ...a.components.map((c) => Math.abs(c.contribution)));
  return h(
    'table',
    { class: 'data components' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Component'), h('th', { class: 'num' }, 'Value'), h('th', { class: 'num' }, 'Weight'), h('th', {}, 'Contribution'), h('th', {}, 'What it means'))),
    h(
      'tbody',
      {},
      ...[...a.components]
        .sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution))
        .map((c) => {
          const pct = (Math.abs(c.contribution) / maxAbs) * 50;
          const neg = c.contribution < 0;
          const tone = c.contribution === 0 ? 'zero' : neg ? 'neg' : 'pos';
          return h(
            'tr',
            {},
            h('td', { class: 'strong' }, componentLabel(c.name)),
            h('td', { class: 'num' }, decimal(c.value, 2)),
            h('td', { class: 'num muted' }, decimal(c.weight, 2)),
            h(
              'td',
              { class: 'contrib-cell' },
              h(
                'div',
                { class: 'contrib' },
                h('span', { class: `contrib-bar ${neg ? 'neg' : 'pos'}`, style: neg ? `right:50%;width:${pct.toFixed(1)}%` : `left:50%;width:${pct.toFixed(1)}%` }),
                h('span', { class: 'contrib-axis' }),
              ),
              h('span', { class: `contrib-value ${tone}` }, `${c.contribution > 0 ? '+' : ''}${decimal(c.contribution, 1)}`),
            ),
            h('td', { class: 'sentence' }, c.sentence),
          );
        }),
    ),
  );
}

const AUTHOR_LABEL: Record<string, string> = { customer: 'Customer', ai: 'AI', agent: 'Agent' };

function recentTickets(a: AccountHealth): HTMLElement {
  if (a.recentTickets.length === 0) return h('div', { class: 'empty' }, 'No recent tickets.');
  return h(
    'table',
    { class: 'data' },
    h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'Ticket'), h('th', {}, 'Event'), h('th', {}, 'From'), h('th', { class: 'num' }, 'Sentiment'), h('th', {}, 'Text'))),
    h(
      'tbody',
      {},
      ...a.recentTickets.map((t) =>
        h(
          'tr',
          {},
          h('td', { class: 'nowrap muted' }, dateTime(t.at)),
          h('td', { class: 'mono nowrap' }, t.ticketId ?? DASH),
          h('td', { class: 'nowrap' }, humanize(t.type.replace(/^ticket\./, ''))),
          h('td', { class: 'nowrap' }, t.author ? h('span', { class: `author author-${t.author}` }, AUTHOR_LABEL[t.author] ?? humanize(t.author)) : h('span', { class: 'muted' }, DASH)),
          h('td', { class: `num ${t.sentiment != null && t.sentiment < -0.05 ? 'neg' : t.sentiment != null && t.sentiment > 0.05 ? 'pos' : ''}` }, sentiment(t.sentiment)),
          h('td', { class: 'ticket-text' }, t.text || DASH),
        ),
      ),
    ),
  );
}

function recentErrors(a: AccountHealth): HTMLElement {
  if (a.recentErrors.length === 0) return h('div', { class: 'empty' }, 'No recent errors.');
  const open = new Map(a.openIncidents.map((i) => [i.template, i.id]));
  // One line per error cluster (latest first), with how often it recurred in the recent list.
  const byCluster = new Map<string, { clusterId: string; template: string; at: number; n: number }>();
  for (const e of a.recentErrors) {
    const seen = byCluster.get(e.clusterId);
    if (seen) {
      seen.n++;
      seen.at = Math.max(seen.at, e.at);
    } else byCluster.set(e.clusterId, { ...e, n: 1 });
  }
  const grouped = [...byCluster.values()].sort((x, y) => y.at - x.at);
  return h(
    'ul',
    { class: 'error-list' },
    ...grouped.map((e) => {
      const incident = open.get(e.template);
      return h(
        'li',
        {},
        h('div', { class: 'mono error-template' }, e.template || h('span', { class: 'muted' }, `cluster ${e.clusterId}`), e.n > 1 ? h('span', { class: 'repeat' }, `×${e.n}`) : null),
        h('div', { class: 'muted small' }, dateTime(e.at), ' · cluster ', h('span', { class: 'mono' }, e.clusterId), incident ? h('a', { href: `#/incident/${encodeURIComponent(incident)}`, class: 'incident-tag' }, 'open incident') : null),
      );
    }),
  );
}

export async function accountView(ctx: ViewContext): Promise<void> {
  const id = ctx.params.id ?? '';
  const a = await apiGet<AccountHealth>(`/v1/accounts/${encodeURIComponent(id)}/health?include=tickets`);
  if (ctx.signal.aborted) return;
  const acct = a.account;
  const times = a.history.map((d) => dayToMs(d.day));
  const lastDay = times.length ? times[times.length - 1]! : Date.now();
  const facts = h(
    'dl',
    { class: 'facts' },
    h('div', {}, h('dt', {}, 'Tier'), h('dd', {}, acct ? tierBadge(acct.tier) : DASH)),
    h('div', {}, h('dt', {}, 'ARR'), h('dd', {}, money(acct?.arr))),
    h('div', {}, h('dt', {}, 'Renewal'), h('dd', {}, acct?.renewalDate ? `${date(Date.parse(acct.renewalDate))} (${Math.round((Date.parse(acct.renewalDate) - lastDay) / DAY_MS)} d)` : DASH)),
    h('div', {}, h('dt', {}, 'Owner'), h('dd', {}, acct?.owner?.name ?? DASH)),
    h('div', {}, h('dt', {}, 'Priority'), h('dd', { class: 'strong' }, priorityText(a.priority))),
    acct?.churnRisk ? h('div', {}, h('dt', {}, 'Flag'), h('dd', {}, h('span', { class: 'badge band-critical' }, 'Churn risk'))) : null,
  );
  const hero = h(
    'section',
    { class: `card hero band-edge-${a.band}` },
    h('div', { class: 'hero-score' }, scorePill(a.score, a.band), h('div', {}, bandBadge(a.band), h('div', { class: 'muted small' }, 'health score of 100'))),
    facts,
    h(
      'div',
      { class: 'hero-action' },
      h('div', { class: 'stat-label' }, 'Suggested action'),
      h('div', { class: 'action-text', id: 'suggested-action' }, a.suggestedAction || DASH),
      a.priorityReasons.length ? h('ul', { class: 'reasons' }, ...a.priorityReasons.map((r) => h('li', {}, r))) : null,
    ),
  );
  const incidents = a.openIncidents.length
    ? h(
        'div',
        { class: 'banner bad' },
        h('strong', {}, 'Affected by open incidents: '),
        ...a.openIncidents.map((i) => h('a', { href: `#/incident/${encodeURIComponent(i.id)}`, class: 'mono' }, i.template)),
      )
    : null;
  const charts = h(
    'div',
    { class: 'grid-3' },
    timeChart({
      title: 'Health score (90 days)',
      times,
      series: [{ label: 'Score', values: a.history.map((d) => d.score), color: '#3b5bdb', fill: 'rgba(59,91,219,0.08)', format: (v) => v.toFixed(0) }],
      yRange: [0, 100],
      signal: ctx.signal,
    }),
    timeChart({
      title: 'Customer sentiment (90 days)',
      times,
      series: [{ label: 'Sentiment', values: a.history.map((d) => d.sentiment), color: '#7048e8', format: (v) => sentiment(v) }],
      yRange: [-1, 1],
      zones: [{ from: -1, to: 0, color: 'rgba(214,69,69,0.05)' }],
      signal: ctx.signal,
    }),
    timeChart({
      title: 'Tickets per day (90 days)',
      times,
      series: [{ label: 'Tickets', values: a.history.map((d) => d.tickets), color: '#0c8599', fill: 'rgba(12,133,153,0.12)', stepped: true, format: (v) => v.toFixed(0) }],
      signal: ctx.signal,
    }),
  );
  replaceChildren(
    ctx.root,
    pageHeader(acct?.name ?? a.accountId, h('span', { class: 'mono' }, a.accountId), h('a', { class: 'btn', href: '#/accounts' }, '← Accounts')),
    incidents,
    hero,
    card('Why this score', componentsTable(a), { className: 'flush', id: 'components' }),
    charts,
    h('div', { class: 'grid-2-1' }, card('Recent tickets', recentTickets(a), { className: 'flush', id: 'recent-tickets' }), card('Recent errors', recentErrors(a), { id: 'recent-errors' })),
  );
}
